import { SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { throwError, timeout, type Observable } from 'rxjs';
import { ProblemError } from './problem-details.js';

const NO_REQUEST_DEADLINE = 'newsroom:no-request-deadline';

/** For a route that may rightly take long: a rebuild the caller asked to wait for. */
export const NoRequestDeadline = (): MethodDecorator & ClassDecorator => SetMetadata(NO_REQUEST_DEADLINE, true);

const RETRY_AFTER_SECONDS = 2;

/**
 * A request still unanswered after `deadlineMs` answers 503. A database that stalls (a server
 * frozen, a network that drops packets, a lock held) leaves a query in flight waiting with no end,
 * and a request with it. pg's own query timeout is no cure: it drops a transaction's ROLLBACK
 * before sending it, and the connection goes back to the pool still inside that transaction. So
 * the work is left to finish or fail on its own connection, and only the answer stops waiting:
 * like any 503 from the database, a write answered so may or may not have been saved.
 */
export class RequestDeadlineInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly deadlineMs: number,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.getAllAndOverride<boolean>(NO_REQUEST_DEADLINE, [context.getHandler(), context.getClass()])) return next.handle();
    return next.handle().pipe(timeout({ first: this.deadlineMs, with: () => throwError(() => deadlinePassed(this.deadlineMs)) }));
  }
}

const deadlinePassed = (deadlineMs: number) =>
  new ProblemError(
    503,
    'service-unavailable',
    'Service unavailable',
    `The request did not finish within ${deadlineMs / 1000} s (the database may be stalled); try again shortly. ` +
      'A write answered this way may or may not have been saved: read it back before repeating it, or repeat it with If-Match.',
    {},
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
