import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page } from '#libs/read-models';
import { ApiProblems, ApiProjectionRead, ApiStaff } from '../openapi/api-docs.decorators.js';
import { BoardPageSchema } from '../openapi/api-schemas.js';
import { ReadsFrom } from '../projections/reads-from.decorator.js';
import { editorBoardProjection } from './editor-board.projection.js';
import type { BoardItem } from './queries/get-board/board-item.view.js';
import { GetBoardQuery } from './queries/get-board/get-board.query.js';
import { GetBoardRequest } from './queries/get-board/get-board.request.dto.js';

/** The editors' overview of every article (any staff role). */
@ApiTags('board')
@ApiStaff()
@Controller('board')
export class BoardController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ReadsFrom(editorBoardProjection.name)
  @ApiOperation({ summary: 'Board rows: status, claim counts (total, pending, flagged), updatedAt, version (any staff)' })
  @ApiProjectionRead(BoardPageSchema, 'One page of board rows, most recently updated first')
  @ApiProblems([400, 'Invalid filter, limit or cursor'])
  list(@Query() request: GetBoardRequest): Promise<Page<BoardItem>> {
    return this.queryBus.execute(new GetBoardQuery(request));
  }
}
