import { Body, Controller, Get, HttpCode, Logger, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { RebuildResult } from '#libs/projections';
import { clearRequestDeadline, NoFieldsPipe, Roles } from '#libs/http';
import { ApiNoFields, ApiProblems, ApiStaff, UNSUPPORTED_BODY } from '../openapi/api-docs.decorators.js';
import { ProjectionStatusSchema, RebuildResultSchema, RebuildStartedSchema } from '../openapi/api-schemas.js';
import { ProjectionRebuilds, type ProjectionStatus } from './projection-rebuilds.js';
import { RebuildProjectionRequest } from './rebuild-projection.request.dto.js';

/** Operators' view of the projections, and rebuilds (admin only). */
@ApiTags('operations')
@ApiStaff()
@Controller('admin/projections')
@Roles('admin')
export class AdminProjectionsController {
  private readonly logger = new Logger(AdminProjectionsController.name);

  constructor(private readonly rebuilds: ProjectionRebuilds) {}

  @Get()
  @ApiOperation({ summary: 'Each projection: events applied, last event time, last rebuild, rebuilding, parked events (admin)' })
  @ApiOkResponse({ description: 'One entry per projection', type: [ProjectionStatusSchema] })
  list(): Promise<ProjectionStatus[]> {
    return this.rebuilds.statuses();
  }

  /**
   * Starts a rebuild and answers 202 at once; with `?wait=true` answers 200 with the result when it
   * is done. Either way readers keep the old model until the new one is swapped in.
   */
  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Rebuild a projection from the event store without downtime (admin)' })
  @ApiResponse({
    status: 202,
    description: 'Rebuilding; readers keep the old tables until the swap',
    type: RebuildStartedSchema,
    headers: { Location: { description: '/admin/projections, where the rebuild shows', schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 200, description: 'With wait=true: rebuilt', type: RebuildResultSchema })
  @ApiProblems(
    [400, 'Invalid input: a wait other than true or false, or a field in the body'],
    [404, 'No projection has this name'],
    [409, 'A rebuild of it is already running'],
    UNSUPPORTED_BODY,
  )
  @ApiNoFields()
  async rebuild(
    @Param('name') name: string,
    @Query() { wait }: RebuildProjectionRequest,
    @Body(NoFieldsPipe) _noFields: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RebuildResult | { projection: string; status: 'rebuilding' }> {
    // With wait=true the answer comes when the rebuild is done, minutes later on a large store.
    if (wait === 'true') clearRequestDeadline(reply.request);
    const { done } = await this.rebuilds.start(name);
    if (wait === 'true') {
      reply.status(200);
      return done;
    }
    done.catch((error: unknown) => this.logger.error({ msg: 'projection rebuild failed', projection: name, err: error }));
    reply.header('location', '/admin/projections');
    return { projection: name, status: 'rebuilding' };
  }
}
