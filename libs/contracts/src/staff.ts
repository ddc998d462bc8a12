/** Staff identity as carried in the JWT (`sub`, `name`, `roles`). */
export const STAFF_ROLES = ['reporter', 'editor', 'fact_checker', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * Actor ids the service gives its own actors (`system:scheduler`) and readers (`reader:<id>`) in
 * event metadata: no staff token may claim one, or a subscriber could not tell them apart.
 */
export const RESERVED_ACTOR_PREFIXES = ['system:', 'reader:'] as const;

/** Whether a sub starts with a reserved prefix, in any case and after any leading space. */
export const isReservedActorId = (sub: string): boolean => RESERVED_ACTOR_PREFIXES.some((prefix) => sub.trimStart().toLowerCase().startsWith(prefix));

export interface StaffClaims {
  sub: string;
  name: string;
  roles: StaffRole[];
}
