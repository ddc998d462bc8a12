import type { DataSource } from 'typeorm';
import { EventStore, LOG_START, type EventMetadata } from '#libs/event-store';
import { ProjectionRebuilder, REBUILD_CLAIM_STALE_MS, RebuildAbortedError, RebuildClaimLostError, RebuildInProgressError } from './projection-rebuilder.js';
import { streamsTableDdl, streamsTableOf, type Projection } from './projection.js';
import { indexAndConstraintNames, rebuildLeftovers } from './testing/rebuild-traces.js';
import { runnerTestDatabase, type RunnerTestDatabase } from './testing/runner-database.js';

/** Counts events per article into a table with every kind of index and constraint a read model may have. */
const items: Projection = {
  name: 'test-items',
  streamTypes: ['article'],
  tables: ['test_items'],
  async apply(events, context) {
    const table = context.table('test_items');
    for (const event of events) {
      await context.query(
        `INSERT INTO ${table} (id, slug, events, updated_at) VALUES ($1, $1, 1, $2)
         ON CONFLICT (id) DO UPDATE SET events = ${table}.events + 1, updated_at = EXCLUDED.updated_at`,
        [event.key, event.recordedAt],
      );
    }
  },
};
const TABLES = [...items.tables, streamsTableOf(items)];

const metadata: EventMetadata = { actor: { sub: 'test', name: 'Test', roles: [] } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ProjectionRebuilder (PostgreSQL)', () => {
  let database: RunnerTestDatabase;
  let dataSource: DataSource;
  let store: EventStore;
  let namesAfterMigrations: unknown[];
  const versions = new Map<string, number>();

  beforeAll(async () => {
    database = await runnerTestDatabase({ maxConnections: 8 });
    dataSource = database.dataSource;
    // As a projection's migration would create it.
    await dataSource.query(`
      CREATE TABLE test_items (
        id          text PRIMARY KEY,
        slug        text CONSTRAINT test_items_slug_taken UNIQUE,
        events      integer NOT NULL CONSTRAINT test_items_events_positive CHECK (events > 0),
        updated_at  timestamptz NOT NULL
      )`);
    await dataSource.query('CREATE INDEX test_items_recent ON test_items (updated_at DESC, id)');
    await dataSource.query('CREATE INDEX test_items_recent_too ON test_items (updated_at DESC, id)');
    await dataSource.query('CREATE INDEX test_items_lower_slug ON test_items (lower(slug)) WHERE slug IS NOT NULL');
    await dataSource.query('CREATE UNIQUE INDEX test_items_slug_and_id ON test_items (slug, id)');
    await dataSource.query(streamsTableDdl(streamsTableOf(items)));
    namesAfterMigrations = await names();
    store = new EventStore(dataSource);
  });

  afterAll(async () => {
    await database?.close();
  });

  /**
   * Appends, then waits until the log shows every event: a transaction open anywhere on the server
   * (other test files' databases too) holds back the commit-safe log a rebuild reads.
   */
  async function write(articleId: string, count = 1) {
    const streamId = `article-${articleId}`;
    const result = await store.appendToStream(
      streamId,
      Array.from({ length: count }, () => ({ type: 'Happened', data: { articleId } })),
      { streamType: 'article', expectedVersion: versions.get(streamId) ?? 0, metadata },
    );
    versions.set(streamId, result.nextExpectedVersion);
    const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM events');
    while ((await store.readLog(LOG_START, { limit: n + 1 })).length < n) await sleep(20);
  }

  const names = () => indexAndConstraintNames(dataSource, TABLES);
  const leftovers = () => rebuildLeftovers(dataSource);

  const rows = () => dataSource.query('SELECT id, slug, events FROM test_items ORDER BY id');

  const claim = async (): Promise<Date | null> =>
    (await dataSource.query(`SELECT rebuilding_since FROM projection_checkpoints WHERE projection = $1`, [items.name]))[0]?.rebuilding_since ??
    null;

  it('gives the new tables the index and constraint names the migrations gave the old ones, rebuild after rebuild', async () => {
    await write('a', 3);
    await write('b', 2);
    const rebuilder = new ProjectionRebuilder(dataSource, store, { batchSize: 2 });
    await rebuilder.rebuild(items);
    expect(await names()).toEqual(namesAfterMigrations);
    await write('c', 1);
    await rebuilder.rebuild(items);
    expect(await names()).toEqual(namesAfterMigrations);
    expect(await rows()).toEqual([
      { id: 'a', slug: 'a', events: 3 },
      { id: 'b', slug: 'b', events: 2 },
      { id: 'c', slug: 'c', events: 1 },
    ]);
    expect(await leftovers()).toEqual([]);
    // What a later migration does by name works (rolled back here).
    const undo = new Error('undo');
    await expect(
      dataSource.transaction(async (tx) => {
        await tx.query('DROP INDEX test_items_recent_too');
        await tx.query('ALTER TABLE test_items RENAME CONSTRAINT test_items_pkey TO test_items_id_key');
        await tx.query('ALTER TABLE test_items DROP CONSTRAINT test_items_slug_taken, DROP CONSTRAINT test_items_events_positive');
        throw undo;
      }),
    ).rejects.toBe(undo);
    expect(await names()).toEqual(namesAfterMigrations);
  });

  it('takes over the claim of a rebuild that died once its last heartbeat is a few minutes old', async () => {
    const rebuilder = new ProjectionRebuilder(dataSource, store);
    const heartbeatAgo = (ms: number) =>
      dataSource.query(
        `UPDATE projection_checkpoints SET rebuilding_since = now() - $2::float8 * interval '1 millisecond' WHERE projection = $1`,
        [items.name, ms],
      );
    // Within the window the rebuild may still be running.
    await heartbeatAgo(REBUILD_CLAIM_STALE_MS - 10_000);
    await expect(rebuilder.rebuild(items)).rejects.toBeInstanceOf(RebuildInProgressError);

    await heartbeatAgo(5 * 60_000);
    await expect(rebuilder.rebuild(items)).resolves.toMatchObject({ applied: 6 });
    expect(await claim()).toBeNull();
  });

  it('on a database only this process uses, drops a dead rebuild\'s claim at once (releaseAbandonedClaims)', async () => {
    const rebuilder = new ProjectionRebuilder(dataSource, store);
    await dataSource.query(`UPDATE projection_checkpoints SET rebuilding_since = now() WHERE projection = $1`, [items.name]);
    await expect(rebuilder.rebuild(items)).rejects.toBeInstanceOf(RebuildInProgressError);

    expect(await rebuilder.releaseAbandonedClaims()).toEqual([items.name]);
    await expect(rebuilder.rebuild(items)).resolves.toMatchObject({ applied: 6 });
    expect(await rebuilder.releaseAbandonedClaims()).toEqual([]);
  });

  it('keeps its claim while it runs longer than the window: a heartbeat after every batch', async () => {
    const slow: Projection = {
      ...items,
      async apply(events, context) {
        await sleep(800);
        return items.apply(events, context);
      },
    };
    // Six batches of 800 ms against a 2 s window, probed at 2.6 s: over a second of slack each way
    // (a heartbeat late by a stall; the rebuild done before the probe).
    const running = new ProjectionRebuilder(dataSource, store, { staleClaimMs: 2000, batchSize: 1 }).rebuild(slow);
    await sleep(2600);
    await expect(new ProjectionRebuilder(dataSource, store, { staleClaimMs: 2000 }).rebuild(items)).rejects.toBeInstanceOf(
      RebuildInProgressError,
    );
    await expect(running).resolves.toMatchObject({ applied: 6 });
    expect(await claim()).toBeNull();
  });

  it('lets a rebuild that stalls past the window lose its claim, without touching the tables of the one that took over', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const stalled = new Promise<void>((resolve) => (entered = resolve));
    const stalling: Projection = {
      ...items,
      async apply(events, context) {
        entered();
        await gate;
        return items.apply(events, context);
      },
    };
    await write('d', 2);
    const first = new ProjectionRebuilder(dataSource, store, { staleClaimMs: 1000 }).rebuild(stalling);
    first.catch(() => undefined);
    await stalled;
    await sleep(1300);
    // The first rebuild sent no heartbeat for longer than the window: it counts as dead.
    const second = new ProjectionRebuilder(dataSource, store, { staleClaimMs: 1000, batchSize: 3 }).rebuild(items, { onClaimed: release });

    await expect(first).rejects.toBeInstanceOf(RebuildClaimLostError);
    await expect(second).resolves.toMatchObject({ applied: 8 });
    expect(await rows()).toEqual([
      { id: 'a', slug: 'a', events: 3 },
      { id: 'b', slug: 'b', events: 2 },
      { id: 'c', slug: 'c', events: 1 },
      { id: 'd', slug: 'd', events: 2 },
    ]);
    expect(await claim()).toBeNull();
    expect(await leftovers()).toEqual([]);
  });

  it('stops an aborted rebuild between batches: fresh tables dropped, claim released, live tables as they were', async () => {
    // Not applied live: a rebuild that went through would change the live rows.
    await write('e', 4);
    const before = await rows();
    const shutdown = new AbortController();
    const aborting: Projection = {
      ...items,
      async apply(events, context) {
        shutdown.abort();
        return items.apply(events, context);
      },
    };
    const rebuilder = new ProjectionRebuilder(dataSource, store, { batchSize: 3 });

    await expect(rebuilder.rebuild(aborting, { signal: shutdown.signal })).rejects.toBeInstanceOf(RebuildAbortedError);
    expect(await rows()).toEqual(before);
    expect(await names()).toEqual(namesAfterMigrations);
    expect(await claim()).toBeNull();
    expect(await leftovers()).toEqual([]);

    // Already aborted: refused before claiming anything.
    await expect(rebuilder.rebuild(items, { signal: shutdown.signal })).rejects.toBeInstanceOf(RebuildAbortedError);
    expect(await claim()).toBeNull();

    // Nothing holds the projection: the next rebuild is accepted at once.
    await expect(rebuilder.rebuild(items)).resolves.toMatchObject({ applied: 12 });
    expect(await rows()).toEqual([...before, { id: 'e', slug: 'e', events: 4 }]);
  });

  it('tries the swap again when it deadlocks with a reader that locks the live tables the other way round', async () => {
    await write('f', 2);
    const [{ articleEvents }] = await dataSource.query(`SELECT count(*)::int AS "articleEvents" FROM events WHERE stream_type = 'article'`);
    // A reader that reads the streams table first, then the model (as a reaction's snapshot does),
    // and waits long before it looks for a deadlock, so that the swap is the one refused.
    const reader = dataSource.createQueryRunner();
    await reader.connect();
    await reader.startTransaction();
    await reader.query(`SET LOCAL deadlock_timeout = '10s'`);
    await reader.query(`SELECT count(*) FROM ${streamsTableOf(items)}`);
    const rebuilding = new ProjectionRebuilder(dataSource, store).rebuild(items);
    try {
      // The swap holds the model and waits for the streams table the reader holds.
      const swapWaiting = async () =>
        (await dataSource.query(`SELECT 1 FROM pg_locks WHERE relation = $1::regclass AND NOT granted`, [streamsTableOf(items)])).length > 0;
      for (let waited = 0; !(await swapWaiting()); waited += 20) {
        if (waited > 15_000) throw new Error('the swap never waited for the streams table');
        await sleep(20);
      }
      // Now the reader wants the model: a deadlock, which PostgreSQL breaks by failing the swap's transaction.
      await reader.query('SELECT count(*) FROM test_items');
      await reader.commitTransaction();
    } finally {
      if (reader.isTransactionActive) await reader.rollbackTransaction();
      await reader.release();
    }
    await expect(rebuilding).resolves.toMatchObject({ eventsRead: articleEvents, applied: articleEvents });
    expect(await rows()).toContainEqual({ id: 'f', slug: 'f', events: 2 });
    expect(await claim()).toBeNull();
    expect(await leftovers()).toEqual([]);
  });

  it("reads only the projection's stream types from the log", async () => {
    await store.appendToStream('reaction-a:reader', [{ type: 'Reacted', data: { articleId: 'a' } }], {
      streamType: 'reaction',
      expectedVersion: 0,
      metadata,
    });
    await write('d', 1);
    const result = await new ProjectionRebuilder(dataSource, store).rebuild(items);
    const [{ articleEvents }] = await dataSource.query(`SELECT count(*)::int AS "articleEvents" FROM events WHERE stream_type = 'article'`);
    expect({ read: result.eventsRead, applied: result.applied }).toEqual({ read: articleEvents, applied: articleEvents });
  });

  it('reads batches bounded by their stored size: one event a batch at a one-byte budget, every event applied', async () => {
    await write('f', 3);
    const batchSizes: number[] = [];
    const measuring: Projection = {
      ...items,
      apply: (events, context) => {
        batchSizes.push(events.length);
        return items.apply(events, context);
      },
    };
    const result = await new ProjectionRebuilder(dataSource, store, { maxBatchBytes: 1 }).rebuild(measuring);
    const [{ articleEvents }] = await dataSource.query(`SELECT count(*)::int AS "articleEvents" FROM events WHERE stream_type = 'article'`);
    expect(result.applied).toBe(articleEvents);
    expect(batchSizes.length).toBeGreaterThanOrEqual(articleEvents);
    expect(Math.max(...batchSizes)).toBe(1);
  });
});
