import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { STAFF_ROLES, type StaffClaims, type StaffRole } from '#libs/contracts';
import { isStorableText } from '../validators.js';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators.js';

// The scheme is case-insensitive (RFC 9110); the token is three base64url parts.
const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i;

/**
 * Global guard: every route needs a valid HS256 staff token unless marked @Public(),
 * and one of the @Roles() when the route names some (401 without a good token, 403 without the role).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest();
    const staff = await this.authenticate(request.headers.authorization);
    request.staff = staff;

    const required = this.reflector.getAllAndOverride<StaffRole[] | undefined>(REQUIRED_ROLES, targets);
    if (required?.length && !required.some((role) => staff.roles.includes(role))) {
      throw new ForbiddenException(`This needs one of the roles: ${required.join(', ')}.`);
    }
    return true;
  }

  private async authenticate(authorization: string | undefined): Promise<StaffClaims> {
    const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
    if (!token) throw new UnauthorizedException('A bearer token is required.');
    let payload: Record<string, unknown>;
    try {
      payload = await this.jwt.verifyAsync(token, { algorithms: ['HS256'] });
    } catch {
      throw new UnauthorizedException('The token is invalid or expired.');
    }
    const { sub, name, roles } = payload;
    const validRoles =
      Array.isArray(roles) && roles.length > 0 && roles.every((role) => STAFF_ROLES.includes(role as StaffRole));
    const text = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '' && isStorableText(value);
    if (!text(sub) || !text(name) || !validRoles) {
      throw new UnauthorizedException('The token lacks valid sub, name and roles claims.');
    }
    return { sub, name, roles: roles as StaffRole[] };
  }
}
