import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import { parseMinPosition } from '#libs/http';
import { ProjectionProgress } from './projection-progress.js';
import { READS_FROM } from './reads-from.decorator.js';

/**
 * Read-your-writes: with `X-Min-Position: <position>` (from a write's answer) the read waits until
 * its projections have applied that position, at most READ_WAIT_TIMEOUT_MS. Either way the answer
 * says whether it got there: `X-Min-Position-Reached: true|false`. At the bound the client gets
 * the read model as it is rather than an error, and can retry.
 */
@Injectable()
export class MinPositionInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly progress: ProjectionProgress,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const position = parseMinPosition(request.headers['x-min-position']);
    if (position === undefined) return next.handle();
    const projections = this.reflector.get<string[]>(READS_FROM, context.getHandler()) ?? [];
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return from(this.progress.waitFor(position, projections)).pipe(
      switchMap((reached) => {
        reply.header('x-min-position-reached', String(reached));
        return next.handle();
      }),
    );
  }
}
