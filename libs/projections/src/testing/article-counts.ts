import type { SqlRunner } from '#libs/event-store';
import type { ProjectedEvent, ProjectionContext } from '../projection.js';
import { streamsTableDdl, streamsTableOf, type Projection } from '../projection.js';

/*
 * Test-only (not exported from the library). The read model the runner specs project into: one
 * row per article counting the events applied to it, so a lost or doubled event shows as a count.
 */

/** Adds the batch's events to their articles' counts in `table` (through the context, so a rebuild fills its own copy). */
export async function countPerArticle(events: readonly ProjectedEvent[], context: ProjectionContext, table: string): Promise<void> {
  const perKey = new Map<string, number>();
  for (const event of events) perKey.set(event.key, (perKey.get(event.key) ?? 0) + 1);
  await context.query(
    `INSERT INTO ${context.table(table)} (article_id, events)
     SELECT * FROM unnest($1::text[], $2::int[])
     ON CONFLICT (article_id) DO UPDATE SET events = ${context.table(table)}.events + EXCLUDED.events`,
    [[...perKey.keys()], [...perKey.values()]],
  );
}

/** The counts table and the projection's streams table. */
export async function createArticleCountsTables(db: SqlRunner, projection: Projection, table = projection.tables[0]): Promise<void> {
  await db.query(`CREATE TABLE ${table} (article_id text PRIMARY KEY, events integer NOT NULL)`);
  await db.query(streamsTableDdl(streamsTableOf(projection)));
}
