/** Staff identity as carried in the JWT (`sub`, `name`, `roles`). */
export const STAFF_ROLES = ['reporter', 'editor', 'fact_checker', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffClaims {
  sub: string;
  name: string;
  roles: StaffRole[];
}
