import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ProblemError } from '#libs/http';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { readerIdOf } from '../reaction-write.decorator.js';
import { clientAddressKey } from './client-address.js';

const MINUTE_SECONDS = 60;

interface Limit {
  per: 'reader' | 'client address';
  limiter: RateLimiterMemory;
  key: string;
}

/**
 * Two limits a minute on the reaction endpoints, POST and DELETE alike: per reader id
 * (X-Reader-Id; a request without a valid one is only counted per address, and refused with 400
 * anyway) and per client address (the socket's, or with TRUST_PROXY the one X-Forwarded-For
 * names). Refused: 429 problem+json with `Retry-After` in seconds. The reader's limit is taken
 * first, so a reader over their own limit never uses up their neighbours' shared address; a
 * request the address limit refuses gives the reader's point back. In memory
 * (rate-limiter-flexible), so per API process.
 */
@Injectable()
export class ReactionRateLimitGuard implements CanActivate {
  private readonly perReader: RateLimiterMemory;
  private readonly perAddress: RateLimiterMemory;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.perReader = new RateLimiterMemory({ keyPrefix: 'reader', points: config.reactions.ratePerReaderPerMinute, duration: MINUTE_SECONDS });
    this.perAddress = new RateLimiterMemory({ keyPrefix: 'address', points: config.reactions.ratePerAddressPerMinute, duration: MINUTE_SECONDS });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const readerId = readerIdOf(request.headers['x-reader-id']);
    const limits: Limit[] = [{ per: 'client address', limiter: this.perAddress, key: clientAddressKey(request.ip) }];
    if (readerId !== undefined) limits.unshift({ per: 'reader', limiter: this.perReader, key: readerId });

    const taken: Limit[] = [];
    for (const limit of limits) {
      try {
        await limit.limiter.consume(limit.key);
        taken.push(limit);
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        await Promise.all(taken.map((given) => given.limiter.reward(given.key, 1)));
        throw this.tooManyRequests(limit, refusal);
      }
    }
    return true;
  }

  private tooManyRequests({ per, limiter }: Limit, refusal: RateLimiterRes): ProblemError {
    const retryAfter = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
    return new ProblemError(
      429,
      'rate-limited',
      'Too many requests',
      `At most ${limiter.points} reactions a minute per ${per}; try again in ${retryAfter} s.`,
      { limit: limiter.points, per, retryAfter },
      { 'retry-after': String(retryAfter) },
    );
  }
}
