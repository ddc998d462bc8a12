/** Staff identity as carried in the JWT (`sub`, `name`, `roles`). */
export const STAFF_ROLES = ['reporter', 'editor', 'fact_checker', 'admin'] as const;

/**
 * The furthest `exp` a staff token may name, from now: 30 days. `exp` is required so that a token
 * cannot live for ever; one that names the year 5000 would, in all but name.
 */
export const STAFF_TOKEN_MAX_LIFETIME_SECONDS = 30 * 24 * 60 * 60;
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * Actor ids the service gives its own actors (`system:scheduler`) and readers (`reader:<id>`) in
 * event metadata: no staff token may claim one, or a subscriber could not tell them apart.
 */
export const RESERVED_ACTOR_PREFIXES = ['system:', 'reader:'] as const;

/** The longest staff id (`sub`, an assignee's `userId`) and staff name the service takes, in characters. */
export const STAFF_ID_MAX_LENGTH = 200;
export const STAFF_NAME_MAX_LENGTH = 200;

/** Whether a sub starts with a reserved prefix, in any case and after any leading space. */
export const isReservedActorId = (sub: string): boolean => RESERVED_ACTOR_PREFIXES.some((prefix) => sub.trimStart().toLowerCase().startsWith(prefix));

export interface StaffClaims {
  sub: string;
  name: string;
  roles: StaffRole[];
}
