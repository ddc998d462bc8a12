import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '#libs/http';
import { Readiness } from './readiness.js';

const HEALTH_RESULT_SCHEMA = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'error', 'shutting_down'] },
    info: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: true },
    details: { type: 'object', additionalProperties: true },
  },
};

/** Probes for load balancers and orchestrators (no token). */
@ApiTags('operations')
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  /** Liveness: the process answers. No dependency is asked, so an outage never restarts it. */
  @Get()
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Readiness: database, Kafka (when configured), relay lag (workers) and projections not stale',
    description: 'Parked projection events are reported and make the status `degraded` (still 200) unless READY_FAIL_ON_PARKED_EVENTS is set.',
  })
  @ApiOkResponse({ description: 'Ready (`ok` or `degraded`)', schema: HEALTH_RESULT_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'Not ready; `error` names the failing checks (a request that arrives while the process shuts down gets a `shutting-down` problem instead)', schema: HEALTH_RESULT_SCHEMA })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const { httpStatus, result } = await this.readiness.check();
    reply.status(httpStatus);
    return result;
  }
}
