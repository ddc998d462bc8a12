import { Inject, Injectable, type CanActivate, type ExecutionContext, type OnApplicationShutdown } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemError } from '#libs/http';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { readerIdOf } from '../reaction-write.decorator.js';
import { clientAddressKey } from './client-address.js';
import { GcraRateLimiter, type KeyedLimit } from './gcra-rate-limiter.js';

const MINUTE_MS = 60_000;

/** The reaction endpoints' limiter: in memory, so per API process. */
@Injectable()
export class ReactionRateLimiter extends GcraRateLimiter implements OnApplicationShutdown {
  constructor() {
    super(MINUTE_MS);
  }

  onApplicationShutdown(): void {
    this.close();
  }
}

/**
 * Two limits a minute on the reaction endpoints, POST and DELETE alike: per reader id
 * (X-Reader-Id; a request without a valid one is only counted per address, and refused with 400
 * anyway) and per client address (the socket's, or with TRUST_PROXY the one X-Forwarded-For
 * names). A refused request counts against neither and answers 429 problem+json with
 * `Retry-After` in seconds.
 *
 * Not @nestjs/throttler: its CommonJS build requires the ESM-only @nestjs/common 12, which Jest
 * cannot load on Node 20 (plain Node can); and its default storage keeps a timestamp per hit.
 */
@Injectable()
export class ReactionRateLimitGuard implements CanActivate {
  private readonly perReader: number;
  private readonly perAddress: number;

  constructor(
    private readonly limiter: ReactionRateLimiter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.perReader = config.reactions.ratePerReaderPerMinute;
    this.perAddress = config.reactions.ratePerAddressPerMinute;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const readerId = readerIdOf(request.headers['x-reader-id']);
    const address: KeyedLimit = { key: `address:${clientAddressKey(request.ip)}`, limit: this.perAddress };
    const limits = readerId === undefined ? [address] : [{ key: `reader:${readerId}`, limit: this.perReader }, address];
    const refusal = this.limiter.take(limits);
    if (refusal === null) return true;

    const { limit, key } = limits[refusal.index];
    const per = key === address.key ? 'client address' : 'reader';
    const retryAfter = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
    throw new ProblemError(
      429,
      'rate-limited',
      'Too many requests',
      `At most ${limit} reactions a minute per ${per}; try again in ${retryAfter} s.`,
      { limit, per, retryAfter },
      { 'retry-after': String(retryAfter) },
    );
  }
}
