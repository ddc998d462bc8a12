import { Controller, Get, HttpCode, Logger, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { RebuildResult } from '#libs/projections';
import { Roles } from '#libs/http';
import { ProjectionRebuilds, type ProjectionStatus } from './projection-rebuilds.js';

/** Operators' view of the projections, and rebuilds (admin only). */
@Controller('admin/projections')
@Roles('admin')
export class AdminProjectionsController {
  private readonly logger = new Logger(AdminProjectionsController.name);

  constructor(private readonly rebuilds: ProjectionRebuilds) {}

  @Get()
  list(): Promise<ProjectionStatus[]> {
    return this.rebuilds.statuses();
  }

  /**
   * Starts a rebuild and answers 202 at once; with `?wait=true` answers 200 with the result when it
   * is done. Either way readers keep the old model until the new one is swapped in.
   */
  @Post(':name/rebuild')
  @HttpCode(202)
  async rebuild(
    @Param('name') name: string,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RebuildResult | { projection: string; status: 'rebuilding' }> {
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
