import type { QueryRunner } from 'typeorm';
import { DataSource } from 'typeorm';
import { EventStore, LOG_START, type EventMetadata } from '#libs/event-store';
import { fromRecordedEvent, ProjectionApplier, ProjectionRebuilder, type ProjectedEvent } from '#libs/projections';
import { createTestDatabase, until } from '#libs/testing';
import { ArticleEvents } from '../../test/support/article-events.js';
import { projectionDatabase, type ProjectionDatabase } from '../../test/support/projection-database.js';
import { MIGRATIONS } from '../database/migrations.js';
import { PublicFeedListingOrder1764232200000 } from './migrations/1764232200000-public-feed-listing-order.js';
import { publicFeedProjection } from './public-feed.projection.js';

const metadata: EventMetadata = { actor: { sub: 'test', name: 'Test', roles: [] } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A story drafted, submitted, approved and published (its Published event four minutes after `startsAt`). */
function publishedStory(startsAt: string): ArticleEvents {
  const story = new ArticleEvents(undefined, startsAt);
  story.drafted();
  story.submitted();
  story.approved();
  story.published();
  return story;
}

/**
 * The public feed's order is the order stories entered it (`listed`), assigned in commit order
 * under the listing lock, against PostgreSQL with the real migrations.
 */
describe('public-feed projection: listing order (PostgreSQL)', () => {
  let db: ProjectionDatabase;

  beforeAll(async () => {
    db = await projectionDatabase();
  });
  afterAll(async () => db?.close());

  const listedOf = async (ids: string[]): Promise<string[]> => {
    const rows: { id: string; listed: string | null }[] = await db.dataSource.query('SELECT id, listed FROM public_feed WHERE id = ANY($1::uuid[])', [ids]);
    return ids.map((id) => rows.find((row) => row.id === id)!.listed!);
  };
  /** The public stories, newest listed first: the feed's order. */
  const feedOrder = async (): Promise<string[]> =>
    (await db.dataSource.query('SELECT id FROM public_feed WHERE listed IS NOT NULL AND retraction IS NULL ORDER BY listed DESC')).map(
      (row: { id: string }) => row.id,
    );

  async function begin(): Promise<QueryRunner> {
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    return runner;
  }
  const applyIn = (runner: QueryRunner, events: readonly ProjectedEvent[]) =>
    publicFeedProjection.apply(events, { query: (sql, params) => runner.query(sql, params), table: (name) => name });
  /** Sessions of this database waiting for an advisory lock. */
  const waitingForAdvisoryLocks = async (): Promise<number> =>
    (
      await db.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      )
    )[0].n;
  /** Advisory locks the runner's own session holds. */
  const advisoryLocksOf = async (runner: QueryRunner): Promise<number> =>
    (await runner.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`))[0].n;
  /** Applies the batches in one transaction and commits it; answers the advisory locks it held just before. */
  async function advisoryLocksApplying(...batches: (readonly ProjectedEvent[])[]): Promise<number> {
    const runner = await begin();
    try {
      for (const events of batches) await applyIn(runner, events);
      const locks = await advisoryLocksOf(runner);
      await runner.commitTransaction();
      return locks;
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it('lists in commit order: a batch that lists waits for the batch listing before it to commit', async () => {
    const earlier = publishedStory('2025-11-25T09:00:00.000Z');
    const later = publishedStory('2025-11-25T10:00:00.000Z');
    // The later story's partition runs ahead: its batch lists first and holds its transaction open.
    const first = await begin();
    const second = await begin();
    try {
      await applyIn(first, later.events);
      let secondDone = false;
      const secondApply = applyIn(second, earlier.events).then(() => (secondDone = true));
      await until('the second batch waiting for the listing lock', waitingForAdvisoryLocks, (n) => n === 1, 10_000, 20);
      await sleep(300);
      expect(secondDone).toBe(false);
      // Nothing of either is visible yet.
      expect(await feedOrder()).toEqual([]);

      await first.commitTransaction();
      await secondApply;
      // The later story is visible alone: the earlier one, still uncommitted, will list above it.
      expect(await feedOrder()).toEqual([later.articleId]);
      await second.commitTransaction();
    } finally {
      for (const runner of [first, second]) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    }
    const [laterListed, earlierListed] = await listedOf([later.articleId, earlier.articleId]);
    expect(BigInt(earlierListed)).toBeGreaterThan(BigInt(laterListed));
    // Newest in the feed first: the story that entered it last is on top, where every walk starts.
    expect((await feedOrder()).slice(0, 2)).toEqual([earlier.articleId, later.articleId]);
  });

  it('lists the stories of one batch in (published_at, id) order', async () => {
    const stories = ['2025-11-26T12:00:00.000Z', '2025-11-26T09:00:00.000Z', '2025-11-26T10:00:00.000Z'].map(publishedStory);
    await db.apply(publicFeedProjection, stories.flatMap((story) => story.events));
    const listed = (await listedOf(stories.map((story) => story.articleId))).map(BigInt);
    expect(listed[1] < listed[2] && listed[2] < listed[0]).toBe(true);
  });

  it('leaves listed alone on a redelivered batch, a later event and a second Published event, and takes no lock for them', async () => {
    const story = publishedStory('2025-11-27T09:00:00.000Z');
    await db.apply(publicFeedProjection, story.events);
    const [before] = await listedOf([story.articleId]);

    expect(await advisoryLocksApplying(story.events, [story.correctionIssued(), story.published()])).toBe(0);
    expect(await listedOf([story.articleId])).toEqual([before]);
  });

  it('takes no listing lock for a batch without a Published event, nor lists a draft', async () => {
    const draft = new ArticleEvents(undefined, '2025-11-27T10:00:00.000Z');
    draft.drafted();
    draft.submitted();
    expect(await advisoryLocksApplying(draft.events)).toBe(0);
    expect(await listedOf([draft.articleId])).toEqual([null]);
  });

  it('lists a published story left without a place (a worker of an older version published it) with the next batch, whatever it holds', async () => {
    const left = publishedStory('2025-11-27T11:00:00.000Z');
    await db.apply(publicFeedProjection, left.events);
    await db.dataSource.query('UPDATE public_feed SET listed = NULL WHERE id = $1', [left.articleId]);
    expect(await feedOrder()).not.toContain(left.articleId);

    const draft = new ArticleEvents(undefined, '2025-11-27T12:00:00.000Z');
    draft.drafted();
    await db.apply(publicFeedProjection, draft.events);
    expect((await feedOrder())[0]).toBe(left.articleId);
    expect(await listedOf([draft.articleId])).toEqual([null]);
  });
});

describe('public-feed migration: listing order (PostgreSQL)', () => {
  it('lists the stories already published in (published_at, id) order, and the sequence goes on past them', async () => {
    const database = await createTestDatabase();
    const listingOrder = MIGRATIONS.indexOf(PublicFeedListingOrder1764232200000);
    const before = await new DataSource({ type: 'postgres', url: database.url, migrations: MIGRATIONS.slice(0, listingOrder) }).initialize();
    let after: DataSource | undefined;
    try {
      await before.runMigrations();
      const row = (id: string, publishedAt: string | null, retracted = false) =>
        before.query(
          `INSERT INTO public_feed (id, version, slug, headline, body, section, tags, authors, claims, corrections, published_at, updated_at, retraction)
           VALUES ($1, 4, $2, 'h', 'b', 's', '{}', '[]', '[]', '[]', $3, $3, $4)`,
          [id, publishedAt === null ? null : `slug-${id}`, publishedAt, retracted ? { reason: 'r', retractedAt: publishedAt } : null],
        );
      const sameTime = '2025-11-24T10:00:00.000Z';
      await row('00000000-0000-7000-8000-00000000000b', sameTime);
      await row('00000000-0000-7000-8000-00000000000c', '2025-11-24T11:00:00.000Z');
      await row('00000000-0000-7000-8000-00000000000a', sameTime);
      await row('00000000-0000-7000-8000-00000000000d', '2025-11-24T09:00:00.000Z', true);
      await row('00000000-0000-7000-8000-00000000000e', null);
      await before.destroy();

      after = await new DataSource({ type: 'postgres', url: database.url, migrations: MIGRATIONS }).initialize();
      expect((await after.runMigrations()).map((migration) => migration.name)).toEqual(MIGRATIONS.slice(listingOrder).map((migration) => migration.name));
      expect(await after.query('SELECT right(id::text, 1) AS id, listed::int FROM public_feed ORDER BY id')).toEqual([
        { id: 'a', listed: 2 },
        { id: 'b', listed: 3 },
        { id: 'c', listed: 4 },
        { id: 'd', listed: 1 },
        { id: 'e', listed: null },
      ]);
      expect(await after.query(`SELECT nextval('public_feed_listing')::int AS next`)).toEqual([{ next: 5 }]);
      expect(await after.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'public_feed' ORDER BY indexname`)).toEqual([
        { indexname: 'public_feed_last_change' },
        { indexname: 'public_feed_listing_order' },
        { indexname: 'public_feed_pkey' },
        { indexname: 'public_feed_slug_key' },
        { indexname: 'public_feed_unlisted' },
      ]);
    } finally {
      if (before.isInitialized) await before.destroy();
      await after?.destroy();
      await database.drop();
    }
  });
});

describe('public-feed rebuild: listing order (PostgreSQL)', () => {
  let db: ProjectionDatabase;
  let store: EventStore;
  const applier = new ProjectionApplier(publicFeedProjection);

  beforeAll(async () => {
    db = await projectionDatabase();
    store = new EventStore(db.dataSource);
    await applier.ensureCheckpoint(db.dataSource);
  });
  afterAll(async () => db?.close());

  /** Appends the story's events to the store and answers them as the log holds them, once the commit-safe log shows them. */
  async function write(story: ArticleEvents): Promise<ProjectedEvent[]> {
    const [{ streamId }] = story.events;
    const result = await store.appendToStream(
      streamId,
      story.events.map(({ type, data }) => ({ type, data })),
      { streamType: 'article', expectedVersion: 0, metadata },
    );
    // A transaction open anywhere on the server (other spec files' databases) holds the commit-safe log back.
    const log = await until('the log to show the story', () => store.readLog(LOG_START, { limit: 10_000 }), (events) =>
      events.some((event) => event.position === result.lastPosition),
    );
    return log.filter((event) => event.streamId === streamId).map(fromRecordedEvent);
  }
  const applyLive = (events: ProjectedEvent[]) => db.dataSource.transaction((tx) => applier.applyBatch(tx, events));
  const listing = async (): Promise<{ id: string; listed: string }[]> =>
    db.dataSource.query('SELECT id, listed FROM public_feed WHERE listed IS NOT NULL ORDER BY listed DESC');
  const rebuild = () => new ProjectionRebuilder(db.dataSource, store).rebuild(publicFeedProjection);

  it('keeps the live listing through a swap, and lists the stories only the swap makes visible above it', async () => {
    const first = publishedStory('2025-11-28T09:00:00.000Z');
    const second = publishedStory('2025-11-28T09:01:00.000Z');
    const third = publishedStory('2025-11-28T09:02:00.000Z');
    const [firstEvents, secondEvents, thirdEvents] = [await write(first), await write(second), await write(third)];
    // Partitions apply independently: the second story's runs ahead, the third's has not run yet.
    await applyLive(secondEvents);
    await applyLive(firstEvents);
    const live = await listing();
    expect(live.map((row) => row.id)).toEqual([first.articleId, second.articleId]);

    await rebuild();
    const rebuilt = await listing();
    // Every cursor handed out still points where it did; the third story enters above them all.
    expect(rebuilt.slice(1)).toEqual(live);
    expect(rebuilt[0].id).toBe(third.articleId);
    expect(BigInt(rebuilt[0].listed)).toBeGreaterThan(BigInt(live[0].listed));

    // The live consumer then gets the third story (applied by the swap: skipped), and lists the next on top.
    await applyLive(thirdEvents);
    expect(await listing()).toEqual(rebuilt);
    const fourth = publishedStory('2025-11-28T09:03:00.000Z');
    await applyLive(await write(fourth));
    expect((await listing()).map((row) => row.id)).toEqual([fourth.articleId, ...rebuilt.map((row) => row.id)]);
  });

  it('keeps a place the live feed gave between the early pass of beforeSwap and the swap', async () => {
    // The two passes by hand, on a fresh copy of the table, with a live listing in between.
    const fresh = 'public_feed__listing_spec';
    await db.dataSource.query(`CREATE TABLE ${fresh} (LIKE public_feed INCLUDING ALL)`);
    try {
      const swapContext = { query: (sql: string, params?: unknown[]) => db.dataSource.query(sql, params), live: () => 'public_feed', fresh: () => fresh };
      const applyFresh = (events: ProjectedEvent[]) =>
        db.dataSource.transaction((tx) => publicFeedProjection.apply(events, { query: (sql, params) => tx.query(sql, params), table: () => fresh }));
      const freshListing = async (ids: string[]) =>
        (await db.dataSource.query(`SELECT id, listed FROM ${fresh} WHERE id = ANY($1::uuid[]) ORDER BY listed DESC`, [ids])) as { id: string; listed: string }[];
      const seen = publishedStory('2025-11-29T09:00:00.000Z');
      const late = publishedStory('2025-11-29T09:01:00.000Z');
      const [seenEvents, lateEvents] = [await write(seen), await write(late)];
      await applyLive(seenEvents);
      await applyFresh([...seenEvents, ...lateEvents]);

      await publicFeedProjection.beforeSwap!(swapContext);
      // The late story is a newcomer so far: listed above the live feed in the copy.
      const [liveSeen] = await db.dataSource.query('SELECT listed FROM public_feed WHERE id = $1', [seen.articleId]);
      expect(await freshListing([seen.articleId, late.articleId])).toEqual([
        { id: late.articleId, listed: expect.any(String) },
        { id: seen.articleId, listed: liveSeen.listed },
      ]);

      // Live lists it before the swap: the swap's pass takes the live place.
      await applyLive(lateEvents);
      const [liveLate] = await db.dataSource.query('SELECT listed FROM public_feed WHERE id = $1', [late.articleId]);
      await publicFeedProjection.beforeSwap!(swapContext);
      expect(await freshListing([seen.articleId, late.articleId])).toEqual([
        { id: late.articleId, listed: liveLate.listed },
        { id: seen.articleId, listed: liveSeen.listed },
      ]);
    } finally {
      await db.dataSource.query(`DROP TABLE ${fresh}`);
    }
  });

  it('lists in publication order when the live listing is lost, whatever order the log holds the stories in', async () => {
    // Written last, published first: the log's order and publication order differ.
    const early = publishedStory('2025-11-28T08:00:00.000Z');
    await write(early);
    await db.dataSource.query('UPDATE public_feed SET listed = NULL');
    // Small batches: the rebuild itself lists each story as it meets it, in the log's order.
    await new ProjectionRebuilder(db.dataSource, store, { batchSize: 2 }).rebuild(publicFeedProjection);
    const published = (await db.dataSource.query('SELECT id FROM public_feed ORDER BY published_at DESC, id DESC')).map((row: { id: string }) => row.id);
    expect(published.at(-1)).toBe(early.articleId);
    expect((await listing()).map((row) => row.id)).toEqual(published);
  });
});
