import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Roles } from '#libs/http';
import type { Page } from '#libs/read-models';
import { ReadsFrom } from '../projections/reads-from.decorator.js';
import { factCheckQueueProjection } from './fact-check-queue.projection.js';
import { GetFactCheckQueueQuery } from './queries/get-fact-check-queue/get-fact-check-queue.query.js';
import { GetFactCheckQueueRequest } from './queries/get-fact-check-queue/get-fact-check-queue.request.dto.js';
import type { QueuedClaim } from './queries/get-fact-check-queue/queued-claim.view.js';

@Controller('fact-checks')
export class FactChecksController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('queue')
  @Roles('fact_checker', 'editor')
  @ReadsFrom(factCheckQueueProjection.name)
  queue(@Query() request: GetFactCheckQueueRequest): Promise<Page<QueuedClaim>> {
    return this.queryBus.execute(new GetFactCheckQueueQuery(request.limit, request.cursor));
  }
}
