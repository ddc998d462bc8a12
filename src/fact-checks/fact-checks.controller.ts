import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '#libs/http';
import type { Page } from '#libs/read-models';
import { ApiProblems, ApiProjectionRead, ApiStaff } from '../openapi/api-docs.decorators.js';
import { FactCheckQueuePageSchema } from '../openapi/api-schemas.js';
import { ReadsFrom } from '../projections/reads-from.decorator.js';
import { factCheckQueueProjection } from './fact-check-queue.projection.js';
import { GetFactCheckQueueQuery } from './queries/get-fact-check-queue/get-fact-check-queue.query.js';
import { GetFactCheckQueueRequest } from './queries/get-fact-check-queue/get-fact-check-queue.request.dto.js';
import type { QueuedClaim } from './queries/get-fact-check-queue/queued-claim.view.js';

@ApiTags('fact-checks')
@ApiStaff()
@Controller('fact-checks')
export class FactChecksController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('queue')
  @Roles('fact_checker', 'editor')
  @ReadsFrom(factCheckQueueProjection.name)
  @ApiOperation({ summary: 'Claims without a verdict, oldest first (fact_checker, editor)' })
  @ApiProjectionRead(FactCheckQueuePageSchema, 'One page of claims without a verdict, oldest first')
  @ApiProblems([400, 'Invalid limit or cursor'])
  queue(@Query() request: GetFactCheckQueueRequest): Promise<Page<QueuedClaim>> {
    return this.queryBus.execute(new GetFactCheckQueueQuery(request.limit, request.cursor));
  }
}
