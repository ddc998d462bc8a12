import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { decodeCursor, DEFAULT_PAGE_SIZE, toPage, type Page } from '#libs/read-models';
import { EditorBoardEntity } from '../../editor-board.entity.js';
import { toBoardItem, type BoardItem } from './board-item.view.js';
import { GetBoardQuery } from './get-board.query.js';

/** LIKE treats %, _ and the escape character as syntax; a search for "50%" means the text "50%". */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, '\\$&');

@QueryHandler(GetBoardQuery)
export class GetBoardHandler implements IQueryHandler<GetBoardQuery> {
  constructor(@InjectRepository(EditorBoardEntity) private readonly board: Repository<EditorBoardEntity>) {}

  async execute({ filters }: GetBoardQuery): Promise<Page<BoardItem>> {
    const { status, section, assignee, q, cursor } = filters;
    const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
    const query = this.board
      .createQueryBuilder('board')
      .orderBy('board.updatedAt', 'DESC')
      .addOrderBy('board.id', 'DESC')
      .limit(limit + 1);
    if (status !== undefined) query.andWhere('board.status = :status', { status });
    if (section !== undefined) query.andWhere('board.section = :section', { section });
    if (assignee !== undefined) {
      query.andWhere('board.assignees @> CAST(:assignee AS jsonb)', { assignee: JSON.stringify([{ id: assignee }]) });
    }
    if (q !== undefined) query.andWhere(`board.headline ILIKE :pattern ESCAPE '\\'`, { pattern: `%${escapeLike(q)}%` });
    if (cursor !== undefined) {
      const [updatedAt, id] = decodeCursor(cursor, ['timestamp', 'uuid']);
      query.andWhere('(board.updatedAt, board.id) < (CAST(:updatedAt AS timestamptz), CAST(:id AS uuid))', { updatedAt, id });
    }
    const rows = await query.getMany();
    return toPage(rows, limit, (row) => [row.updatedAt.toISOString(), row.id], toBoardItem);
  }
}
