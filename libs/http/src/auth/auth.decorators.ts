import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { StaffClaims, StaffRole } from '#libs/contracts';

export const IS_PUBLIC = 'newsroom:is-public';
export const REQUIRED_ROLES = 'newsroom:required-roles';

/** No token needed (public feed, reactions, health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The caller needs at least one of these roles; without @Roles any staff member may call. */
export const Roles = (...roles: StaffRole[]) => SetMetadata(REQUIRED_ROLES, roles);

/** The authenticated staff member, as the JWT guard verified them. */
export const CurrentStaff = createParamDecorator(
  (_: unknown, context: ExecutionContext): StaffClaims => context.switchToHttp().getRequest().staff,
);
