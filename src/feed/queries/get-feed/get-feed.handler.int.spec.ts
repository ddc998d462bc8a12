import { DataSource } from 'typeorm';
import { ValidationProblem } from '#libs/http';
import { ArticleEvents } from '../../../../test/support/article-events.js';
import { projectionDatabase, type ProjectionDatabase } from '../../../../test/support/projection-database.js';
import type { AppConfig } from '../../../config/app-config.js';
import { ReactionCountsEntity } from '../../../reactions/index.js';
import { PublicFeedEntity } from '../../public-feed.entity.js';
import { publicFeedProjection } from '../../public-feed.projection.js';
import { GetFeedHandler } from './get-feed.handler.js';
import { GetFeedQuery } from './get-feed.query.js';

interface Page {
  ids: string[];
  nextCursor: string | null;
}
type PageReader = (limit: number, cursor: string | undefined) => Promise<Page>;

const PARTITIONS = 3;
const STORIES = 12;

/**
 * Stories published one minute apart, each on partition `i % 3`; partition 0 lags, so its stories
 * become visible after stories published later (as the auditor saw: 10 before 4 and 8).
 */
function schedule(): ArticleEvents[][] {
  const stories = Array.from({ length: STORIES }, (_, i) => {
    const story = new ArticleEvents(undefined, new Date(Date.parse('2025-12-01T09:00:00.000Z') + i * 60_000).toISOString());
    story.drafted();
    story.published();
    return story;
  });
  const lagging = (i: number) => i % PARTITIONS === 0;
  return [...stories.filter((_, i) => !lagging(i)), ...stories.filter((_, i) => lagging(i))].map((story) => [story]);
}

/**
 * GET /feed's query walked page by page while the projection lists stories in between, as clients
 * do: a story visible when a walk starts is never missed and none is shown twice, and a client
 * that syncs newest-first until it reaches a story it has seen ends up with every story.
 */
describe('GetFeedHandler: walking the feed while stories are listed (PostgreSQL)', () => {
  let db: ProjectionDatabase;
  let reads: DataSource;
  let handler: GetFeedHandler;

  beforeAll(async () => {
    db = await projectionDatabase();
    const { url } = db.dataSource.options as { url: string };
    reads = await new DataSource({ type: 'postgres', url, entities: [PublicFeedEntity, ReactionCountsEntity] }).initialize();
    handler = new GetFeedHandler(reads.getRepository(PublicFeedEntity), { http: { publicBaseUrl: 'https://news.example' } } as AppConfig);
  });
  beforeEach(() => db.dataSource.query('TRUNCATE public_feed'));
  afterAll(async () => {
    await reads?.destroy();
    await db?.close();
  });

  const feedPage: PageReader = async (limit, cursor) => {
    const slice = await handler.execute(new GetFeedQuery(limit, cursor));
    return { ids: slice.articles.map((article) => article.id), nextCursor: slice.nextCursor };
  };

  /** The order this fix replaces, (published_at, id) descending, to show the schedule makes it skip. */
  const publishedAtPage: PageReader = async (limit, cursor) => {
    const after = cursor === undefined ? null : (JSON.parse(cursor) as [string, string]);
    const rows: { id: string; published_at: Date }[] = await db.dataSource.query(
      `SELECT id, published_at FROM public_feed
        WHERE published_at IS NOT NULL AND retraction IS NULL AND ($1::timestamptz IS NULL OR (published_at, id) < ($1::timestamptz, $2::uuid))
        ORDER BY published_at DESC, id DESC LIMIT $3`,
      [after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    );
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    return { ids: shown.map((row) => row.id), nextCursor: rows.length > limit ? JSON.stringify([last.published_at.toISOString(), last.id]) : null };
  };

  const visibleNow = async (): Promise<string[]> =>
    (await db.dataSource.query('SELECT id FROM public_feed WHERE published_at IS NOT NULL AND retraction IS NULL')).map((row: { id: string }) => row.id);

  /** A client that syncs newest-first, page by page, until it reaches a story it has seen; a batch is listed after every page. */
  async function syncingClient(read: PageReader, batches: ArticleEvents[][]): Promise<Set<string>> {
    const pending = [...batches];
    const listNext = async () => {
      const batch = pending.shift();
      if (batch) await db.apply(publicFeedProjection, batch.flatMap((story) => story.events));
    };
    const seen = new Set<string>();
    for (let syncs = 0; syncs < 50; syncs++) {
      const finished = pending.length === 0;
      let cursor: string | undefined;
      sync: for (;;) {
        const page = await read(2, cursor);
        await listNext();
        for (const id of page.ids) {
          if (seen.has(id)) break sync;
          seen.add(id);
        }
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      // One more sync after the last batch, then the client has had every chance to see everything.
      if (finished) break;
    }
    return seen;
  }

  it('a syncing client sees every story, however late a story becomes visible', async () => {
    const batches = schedule();
    const seen = await syncingClient(feedPage, batches);
    expect([...seen].sort()).toEqual(batches.flat().map((story) => story.articleId).sort());
  });

  it('(the same schedule over (published_at, id) skips stories for good: the bug)', async () => {
    const batches = schedule();
    const seen = await syncingClient(publishedAtPage, batches);
    expect(seen.size).toBeLessThan(STORIES);
  });

  it('a walk misses no story visible when it started and shows none twice, while stories are listed between its pages', async () => {
    const batches = schedule();
    for (const batch of batches.splice(0, 6)) await db.apply(publicFeedProjection, batch.flatMap((story) => story.events));
    const visibleAtStart = await visibleNow();
    const shown: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await feedPage(2, cursor);
      shown.push(...page.ids);
      const batch = batches.shift();
      if (batch) await db.apply(publicFeedProjection, batch.flatMap((story) => story.events));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual(expect.arrayContaining(visibleAtStart));
  });

  it('pages by an opaque cursor that refuses a tampered key with a 400', async () => {
    for (const batch of schedule().slice(0, 3)) await db.apply(publicFeedProjection, batch.flatMap((story) => story.events));
    const first = await handler.execute(new GetFeedQuery(2, undefined));
    expect(first.nextCursor).not.toBeNull();
    const rest = await handler.execute(new GetFeedQuery(2, first.nextCursor!));
    expect(rest.articles).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
    for (const key of [['-1'], ['9223372036854775808'], ['2025-12-01T09:00:00.000Z', first.articles[1].id], [1]]) {
      const tampered = Buffer.from(JSON.stringify(key)).toString('base64url');
      await expect(handler.execute(new GetFeedQuery(2, tampered))).rejects.toBeInstanceOf(ValidationProblem);
    }
  });
});
