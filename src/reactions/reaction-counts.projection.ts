import { REACTION_KINDS, REACTION_STREAM_TYPE } from '#libs/contracts';
import type { Projection } from '#libs/projections';
import { reactionDeltas, type CountedEvent } from './reaction-deltas.js';

export const REACTION_COUNTS_TABLE = 'reaction_counts';

/** The counter columns in REACTION_KINDS order, quoted: `like` is an SQL keyword. */
export const REACTION_COUNT_COLUMNS = REACTION_KINDS.map((kind) => `"${kind}"`);

const upsertSql = (table: string): string => {
  const columns = REACTION_COUNT_COLUMNS.join(', ');
  const arrays = REACTION_COUNT_COLUMNS.map((_, index) => `$${index + 2}::int[]`).join(', ');
  const sums = REACTION_COUNT_COLUMNS.map((column) => `${column} = ${table}.${column} + EXCLUDED.${column}`).join(', ');
  return `INSERT INTO ${table} (article_id, ${columns}, updated_at)
          SELECT * FROM unnest($1::uuid[], ${arrays}, $${REACTION_COUNT_COLUMNS.length + 2}::timestamptz[])
          ON CONFLICT (article_id) DO UPDATE SET ${sums},
            updated_at = GREATEST(${table}.updated_at, EXCLUDED.updated_at)`;
};

// One statement text per physical table (the live one, and a rebuild's fresh copy).
const statements = new Map<string, string>();

/**
 * Reaction counts per article, for the public feed and the reaction answers. A batch of any size
 * is one multi-row upsert: the deltas are summed per article in memory first, so a hot story gets
 * one row update per batch however many readers reacted. The runner applies each stream version
 * once and in order, so adding deltas is exact, and no counter goes below zero while every
 * Changed/Removed names the kind its stream had.
 */
export const reactionCountsProjection: Projection = {
  name: 'reaction-counts',
  streamTypes: [REACTION_STREAM_TYPE],
  tables: [REACTION_COUNTS_TABLE],
  async apply(events, context) {
    const byArticle = reactionDeltas(events as readonly CountedEvent[]);
    if (byArticle.size === 0) return;
    const table = context.table(REACTION_COUNTS_TABLE);
    let sql = statements.get(table);
    if (sql === undefined) statements.set(table, (sql = upsertSql(table)));

    const articleIds: string[] = [];
    const columns: number[][] = REACTION_KINDS.map(() => []);
    const updatedAt: Date[] = [];
    for (const [articleId, { deltas, lastEventAt }] of byArticle) {
      articleIds.push(articleId);
      for (let kind = 0; kind < deltas.length; kind++) columns[kind].push(deltas[kind]);
      updatedAt.push(lastEventAt);
    }
    await context.query(sql, [articleIds, ...columns, updatedAt]);
  },
};
