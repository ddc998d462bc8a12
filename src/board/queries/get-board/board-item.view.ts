import type { ArticleStatus, Person } from '#libs/contracts';
import type { EditorBoardEntity } from '../../editor-board.entity.js';
import type { BoardAssignee, ClaimCounts } from '../../editor-board.projection.js';

/** One row of `GET /board`. */
export interface BoardItem {
  id: string;
  headline: string;
  section: string;
  tags: string[];
  status: ArticleStatus;
  authors: Person[];
  assignees: BoardAssignee[];
  claims: ClaimCounts;
  publishAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export const toBoardItem = (row: EditorBoardEntity): BoardItem => ({
  id: row.id,
  headline: row.headline,
  section: row.section,
  tags: row.tags,
  status: row.status,
  authors: row.authors,
  assignees: row.assignees,
  claims: { total: row.claimsTotal, pending: row.claimsPending, flagged: row.claimsFlagged },
  publishAt: row.publishAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  version: row.version,
});
