import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { LRUCache } from 'lru-cache';
import {
  isReservedActorId,
  RESERVED_ACTOR_PREFIXES,
  STAFF_ID_MAX_LENGTH,
  STAFF_NAME_MAX_LENGTH,
  STAFF_ROLES,
  STAFF_TOKEN_MAX_LIFETIME_SECONDS,
  type StaffClaims,
  type StaffRole,
} from '#libs/contracts';
import { isStorableText } from '../validators.js';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators.js';

// The scheme is case-insensitive (RFC 9110), then one or more spaces (RFC 6750); the token is three base64url parts.
const BEARER = /^Bearer +([\w-]+\.[\w-]+\.[\w-]+)$/i;

/** A token that verified, its claims, and when it expires (`exp`, seconds since the epoch). */
interface VerifiedToken {
  staff: StaffClaims;
  expiresAt: number;
}

/**
 * Global guard: every route needs a valid HS256 staff token unless marked @Public(),
 * and one of the @Roles() when the route names some (401 without a good token, 403 without the role).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  /**
   * Staff send the same token with every request: verifying its signature and claims once, not on
   * each write, saves a few percent of the API's CPU. Only tokens that verified are kept, by their
   * exact text (signature included), each no longer than its own `exp` and a minute at most.
   */
  private readonly verified = new LRUCache<string, VerifiedToken>({ max: 10_000, ttl: 60_000 });

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
    const known = this.verified.get(token);
    // jsonwebtoken's rule: expired once the clock reaches `exp`. An expired token is verified again (and refused).
    if (known && Date.now() / 1000 < known.expiresAt) return known.staff;
    this.verified.delete(token);
    return this.verify(token);
  }

  private async verify(token: string): Promise<StaffClaims> {
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      ({ header, payload } = await this.jwt.verifyAsync(token, { algorithms: ['HS256'], complete: true }));
    } catch {
      throw new UnauthorizedException('The token is invalid or expired.');
    }
    // RFC 7515 4.1.11: a token naming critical extensions we do not understand (we understand none)
    // must be refused; jsonwebtoken does not look at `crit`.
    if (header.crit !== undefined) throw new UnauthorizedException('The token names critical header extensions (crit), which this service does not support.');
    const { sub, name, roles, exp } = payload;
    // A token that never expires cannot be taken back short of changing the secret for everyone.
    if (typeof exp !== 'number') throw new UnauthorizedException('The token has no exp claim: staff tokens must expire.');
    if (exp > Date.now() / 1000 + STAFF_TOKEN_MAX_LIFETIME_SECONDS) {
      throw new UnauthorizedException('The token expires more than 30 days from now: staff tokens must be shorter-lived.');
    }
    const validRoles =
      Array.isArray(roles) && roles.length > 0 && roles.every((role) => STAFF_ROLES.includes(role as StaffRole));
    // Characters are code points, as in every other field: 200 emoji are 200 characters, not 400.
    const text = (value: unknown, maxLength: number): value is string =>
      typeof value === 'string' && value.trim() !== '' && isStorableText(value) && [...value].length <= maxLength;
    if (!text(sub, STAFF_ID_MAX_LENGTH) || !text(name, STAFF_NAME_MAX_LENGTH) || !validRoles) {
      throw new UnauthorizedException(
        `The token lacks valid sub, name and roles claims (sub and name: at most ${STAFF_ID_MAX_LENGTH} characters, printable).`,
      );
    }
    if (isReservedActorId(sub)) {
      throw new UnauthorizedException(`The token's sub may not start with ${RESERVED_ACTOR_PREFIXES.join(' or ')}: those name the service's own actors and readers.`);
    }
    // Frozen: one object now serves every request that carries this token.
    const staff: StaffClaims = Object.freeze({ sub, name, roles: Object.freeze([...roles]) as StaffRole[] });
    this.verified.set(token, { staff, expiresAt: exp });
    return staff;
  }
}
