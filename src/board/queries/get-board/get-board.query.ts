import { Query } from '@nestjs/cqrs';
import type { Page } from '#libs/read-models';
import type { BoardItem } from './board-item.view.js';
import type { GetBoardRequest } from './get-board.request.dto.js';

/** Board rows matching the filters, most recently changed first. */
export class GetBoardQuery extends Query<Page<BoardItem>> {
  constructor(readonly filters: GetBoardRequest) {
    super();
  }
}
