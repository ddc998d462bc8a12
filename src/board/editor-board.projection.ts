import {
  ARTICLE_STREAM_TYPE,
  authorsAfter,
  withNameOf,
  isFlagged,
  occurredAt,
  statusAfter,
  type ArticleEvent,
  type ArticleStatus,
  type AssignmentRole,
  type Person,
  type VerdictRating,
} from '#libs/contracts';
import type { ProjectedEvent, Projection } from '#libs/projections';
import { applyRowPerArticle } from '#libs/read-models';

export const EDITOR_BOARD_TABLE = 'editor_board';

type ArticleProjectedEvent = ProjectedEvent<ArticleEvent>;

export interface BoardAssignee extends Person {
  as: AssignmentRole;
}

export interface ClaimCounts {
  total: number;
  /** Claims without a verdict. */
  pending: number;
  /** Claims rated false, mostly_false or unverifiable (what stops the publish gate). */
  flagged: number;
}

/** One article on the board, as evolve keeps it. Times are the events' ISO strings. */
export interface EditorBoardRow {
  id: string;
  /** The article stream version this row reflects. */
  version: number;
  status: ArticleStatus;
  headline: string;
  section: string;
  tags: string[];
  authors: Person[];
  assignees: BoardAssignee[];
  /** Each claim's latest rating, null while it has none: the claim counts are made from it. */
  claimRatings: Record<string, VerdictRating | null>;
  publishAt: string | null;
  createdAt: string;
  /** Time of the last event, whatever it was. */
  updatedAt: string;
}

export const claimCounts = (ratings: EditorBoardRow['claimRatings']): ClaimCounts => {
  const values = Object.values(ratings);
  return {
    total: values.length,
    pending: values.filter((rating) => rating === null).length,
    flagged: values.filter((rating) => rating !== null && isFlagged(rating)).length,
  };
};

/**
 * Folds one article event into its board row. An event at or below the row's version has been
 * applied already and changes nothing, so repeats and stale replays are harmless.
 */
export function evolve(row: EditorBoardRow | null, event: ArticleProjectedEvent): EditorBoardRow {
  if (row !== null && event.streamVersion <= row.version) return row;
  if (event.type === 'ArticleDrafted') {
    const { articleId, headline, section, tags, author, draftedAt } = event.data;
    return {
      id: articleId,
      version: event.streamVersion,
      status: 'draft',
      headline,
      section,
      tags,
      authors: [author],
      assignees: [],
      claimRatings: {},
      publishAt: null,
      createdAt: draftedAt,
      updatedAt: draftedAt,
    };
  }
  if (row === null) {
    throw new Error(`editor-board: ${event.type} (version ${event.streamVersion}) of article ${event.key} has no ArticleDrafted before it`);
  }

  const next: EditorBoardRow = {
    ...row,
    version: event.streamVersion,
    status: statusAfter(row.status, event),
    updatedAt: occurredAt(event),
    authors: authorsAfter(row.authors, event),
  };
  switch (event.type) {
    case 'ArticleRevised': {
      const { headline, section, tags } = event.data.changes;
      return { ...next, headline: headline ?? row.headline, section: section ?? row.section, tags: tags ?? row.tags };
    }
    case 'PublishScheduled':
      return { ...next, publishAt: event.data.publishAt };
    case 'Published': {
      // Unlike the decider, the board takes the byline from the event: the authors as published,
      // with the names the row knows for authors the event names by id alone (events before authorsAfter).
      const { headline, section, tags, authors } = event.data;
      return { ...next, headline, section, tags, authors: next.authors.reduce(withNameOf, authors), publishAt: null };
    }
    case 'ClaimAdded':
      return { ...next, claimRatings: { ...row.claimRatings, [event.data.claimId]: null } };
    case 'FactChecked':
      return { ...next, claimRatings: { ...row.claimRatings, [event.data.claimId]: event.data.rating } };
    case 'ArticleAssigned': {
      const { assignee, as } = event.data;
      return {
        ...next,
        assignees: [...row.assignees, { id: assignee.id, name: assignee.name, as }],
      };
    }
    case 'ArticleSubmitted':
    case 'ChangesRequested':
    case 'ArticleApproved':
    case 'ArticleRetracted':
    case 'CorrectionIssued':
    case 'EditorialNoteAdded':
      return next;
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: one row per article in editor_board
// ---------------------------------------------------------------------------------------------

const COLUMNS = {
  id: 'uuid',
  version: 'integer',
  status: 'text',
  headline: 'text',
  section: 'text',
  tags: 'text[]',
  authors: 'jsonb',
  assignees: 'jsonb',
  claim_ratings: 'jsonb',
  claims_total: 'integer',
  claims_pending: 'integer',
  claims_flagged: 'integer',
  publish_at: 'timestamptz',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
} as const;

type StoredRow = {
  id: string;
  version: number;
  status: ArticleStatus;
  headline: string;
  section: string;
  tags: string[];
  authors: Person[];
  assignees: BoardAssignee[];
  claim_ratings: Record<string, VerdictRating | null>;
  publish_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

const fromStored = (stored: StoredRow): EditorBoardRow => ({
  id: stored.id,
  version: stored.version,
  status: stored.status,
  headline: stored.headline,
  section: stored.section,
  tags: stored.tags,
  authors: stored.authors,
  assignees: stored.assignees,
  claimRatings: stored.claim_ratings,
  publishAt: stored.publish_at?.toISOString() ?? null,
  createdAt: stored.created_at.toISOString(),
  updatedAt: stored.updated_at.toISOString(),
});

const toRecord = (row: EditorBoardRow): Record<keyof typeof COLUMNS, unknown> => {
  const counts = claimCounts(row.claimRatings);
  return {
    id: row.id,
    version: row.version,
    status: row.status,
    headline: row.headline,
    section: row.section,
    tags: row.tags,
    authors: row.authors,
    assignees: row.assignees,
    claim_ratings: row.claimRatings,
    claims_total: counts.total,
    claims_pending: counts.pending,
    claims_flagged: counts.flagged,
    publish_at: row.publishAt,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
};

export const editorBoardProjection: Projection = {
  name: 'editor-board',
  streamTypes: [ARTICLE_STREAM_TYPE],
  tables: [EDITOR_BOARD_TABLE],
  apply: applyRowPerArticle<EditorBoardRow, StoredRow, ArticleProjectedEvent>({ table: EDITOR_BOARD_TABLE, columns: COLUMNS, evolve, fromStored, toRecord }),
};
