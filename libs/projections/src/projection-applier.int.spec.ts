import pg from 'pg';
import type { DataSource } from 'typeorm';
import { EventStore, type EventMetadata } from '#libs/event-store';
import { isTransientDatabaseError } from '#libs/event-store';
import { ProjectionApplier, ProjectionApplyError } from './projection-applier.js';
import { fromRecordedEvent } from './projected-event.js';
import { streamsTableDdl, streamsTableOf, type ProjectedEvent, type Projection } from './projection.js';
import { countPerArticle } from './testing/article-counts.js';
import { runnerTestDatabase, type RunnerTestDatabase } from './testing/runner-database.js';

const metadata: EventMetadata = { actor: { sub: 'test', name: 'Test', roles: [] } };

/**
 * Counts events per article, waiting on row locks no longer than `setting` allows. Events marked
 * `poison` throw the projection's own error; events marked `divide` fail in PostgreSQL (22012).
 */
const countingWith = (setting: 'lock_timeout' | 'statement_timeout'): Projection => ({
  name: `counts-${setting.replace('_', '-')}`,
  streamTypes: ['article'],
  tables: ['applier_counts'],
  async apply(events, context) {
    await context.query(`SET LOCAL ${setting} = '150ms'`);
    for (const event of events) {
      const data = event.data as { poison?: boolean; divide?: boolean };
      if (data.poison) throw new Error(`cannot apply ${event.eventId}`);
      if (data.divide) await context.query('SELECT 1 / 0');
    }
    await countPerArticle(events, context, 'applier_counts');
  },
});

describe('ProjectionApplier (PostgreSQL)', () => {
  let database: RunnerTestDatabase;
  let dataSource: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    database = await runnerTestDatabase({ maxConnections: 6 });
    dataSource = database.dataSource;
    await dataSource.query('CREATE TABLE applier_counts (article_id text PRIMARY KEY, events integer NOT NULL)');
    for (const setting of ['lock_timeout', 'statement_timeout'] as const) {
      await dataSource.query(streamsTableDdl(streamsTableOf(countingWith(setting))));
    }
    store = new EventStore(dataSource);
  });

  afterAll(async () => {
    await database?.close();
  });

  async function eventsOf(articleId: string, data: object[]): Promise<ProjectedEvent[]> {
    const streamId = `article-${articleId}`;
    await store.appendToStream(
      streamId,
      data.map((extra) => ({ type: 'Happened', data: { articleId, ...extra } })),
      { streamType: 'article', expectedVersion: 0, metadata },
    );
    return (await store.readStream(streamId)).map(fromRecordedEvent);
  }

  /** As the feeders do it. */
  const applyBatch = (projection: Projection, events: ProjectedEvent[]) => {
    const applier = new ProjectionApplier(projection);
    return applier.transact(dataSource, async (tx, isolate) => {
      await applier.lock(tx, 'exclusive', events.map((event) => event.key));
      return applier.applyBatch(tx, events, { isolate });
    });
  };

  const count = async (articleId: string): Promise<number | undefined> =>
    (await dataSource.query('SELECT events FROM applier_counts WHERE article_id = $1', [articleId]))[0]?.events;

  const parked = async (projection: Projection, keys: string[]): Promise<{ key: string; stream_version: number; error: string }[]> =>
    dataSource.query(
      'SELECT key, stream_version, error FROM projection_dead_letters WHERE projection = $1 AND key = ANY($2) ORDER BY key, stream_version',
      [projection.name, keys],
    );

  it.each([
    ['lock_timeout', '55P03'],
    ['statement_timeout', '57014'],
  ] as const)('parks nothing when a row lock outlasts %s; applies the batch once the lock is gone', async (setting, sqlstate) => {
    const projection = countingWith(setting);
    const locked = `locked-${setting}`;
    const free = `free-${setting}`;
    const batch = [...(await eventsOf(locked, [{}, {}])), ...(await eventsOf(free, [{}]))];
    await dataSource.query('INSERT INTO applier_counts VALUES ($1, 0)', [locked]);

    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM applier_counts WHERE article_id = $1 FOR UPDATE', [locked]);
      await expect(applyBatch(projection, batch)).rejects.toMatchObject({ driverError: expect.objectContaining({ code: sqlstate }) });
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    expect(await parked(projection, [locked, free])).toEqual([]);
    // The whole batch waits for the retry, the free article included.
    expect(await count(free)).toBeUndefined();

    expect(await applyBatch(projection, batch)).toMatchObject({ applied: 3, parked: 0 });
    expect([await count(locked), await count(free)]).toEqual([2, 1]);
    expect(await parked(projection, [locked, free])).toEqual([]);
  });

  it('parks an event after a gap and the later events of its article, and applies the earlier ones of the same batch', async () => {
    const projection = countingWith('lock_timeout');
    const [first, second, third, fourth] = await eventsOf('gapped', [{}, {}, {}, {}]);
    const other = await eventsOf('untouched', [{}]);
    // Version 2 lost: 1 applies, 3 waits for it, 4 queues behind 3; the other article goes on.
    expect(await applyBatch(projection, [first, ...other, third, fourth])).toMatchObject({ applied: 2, parked: 2 });
    expect([await count('gapped'), await count('untouched')]).toEqual([1, 1]);
    expect(await parked(projection, ['gapped'])).toEqual([
      { key: 'gapped', stream_version: 3, error: 'version 3 arrived after version 1: missing events' },
      { key: 'gapped', stream_version: 4, error: 'queued behind a parked event of this article' },
    ]);
    // Once an event of the article is parked, the rest of it waits, the missing one included.
    expect(await applyBatch(projection, [second])).toMatchObject({ applied: 0, parked: 1 });
    expect(await count('gapped')).toBe(1);
  });

  it('moves the log checkpoint only forward, whatever a late batch asks for', async () => {
    const projection = countingWith('statement_timeout');
    const applier = new ProjectionApplier(projection);
    await applier.ensureCheckpoint(dataSource);
    const move = (to: { transactionId: string; position: number }) =>
      applier.transact(dataSource, async (tx, isolate) => {
        await applier.lock(tx, 'exclusive');
        return applier.applyBatch(tx, [], { isolate, moveCheckpointTo: to });
      });

    await move({ transactionId: '900', position: 50 });
    expect(await applier.checkpoint(dataSource)).toEqual({ transactionId: '900', position: 50 });
    await move({ transactionId: '899', position: 99 });
    await move({ transactionId: '900', position: 49 });
    expect(await applier.checkpoint(dataSource)).toEqual({ transactionId: '900', position: 50 });
    await move({ transactionId: '900', position: 51 });
    expect(await applier.checkpoint(dataSource)).toEqual({ transactionId: '900', position: 51 });
  });

  it('counts a batch that comes again after its count was lost: the row moves, the counter does not', async () => {
    const projection = countingWith('lock_timeout');
    const applier = new ProjectionApplier(projection);
    await applier.ensureCheckpoint(dataSource);
    const row = async (): Promise<{ events_applied: string; updated_at: Date }> =>
      (await dataSource.query('SELECT events_applied, updated_at FROM projection_checkpoints WHERE projection = $1', [projection.name]))[0];
    const batch = await eventsOf('count-lost', [{}, {}]);
    // Committed, then the process dies before count(): the batch's offsets were never committed.
    expect(await applyBatch(projection, batch)).toMatchObject({ applied: 2 });
    const before = await row();

    const redelivered = await applyBatch(projection, batch);
    expect(redelivered).toMatchObject({ applied: 0, skipped: 2 });
    await applier.count(dataSource, redelivered);
    const after = await row();
    expect(after.events_applied).toBe(before.events_applied);
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());

    // A batch with nothing in it, applied or repeated, leaves the row alone.
    await applier.count(dataSource, { applied: 0, skipped: 0, parked: 0, lastEventAt: null });
    expect(await row()).toEqual(after);
  });

  it("still parks the projection's own errors and deterministic database errors", async () => {
    const projection = countingWith('lock_timeout');
    const batch = [
      ...(await eventsOf('own-error', [{}, { poison: true }, {}])),
      ...(await eventsOf('data-error', [{ divide: true }])),
      ...(await eventsOf('fine', [{}])),
    ];
    expect(await applyBatch(projection, batch)).toMatchObject({ applied: 2, parked: 3 });
    expect([await count('own-error'), await count('data-error'), await count('fine')]).toEqual([1, undefined, 1]);
    expect(await parked(projection, ['own-error', 'data-error', 'fine'])).toEqual([
      { key: 'data-error', stream_version: 1, error: 'division by zero' },
      { key: 'own-error', stream_version: 2, error: expect.stringContaining('cannot apply') },
      { key: 'own-error', stream_version: 3, error: expect.stringContaining('queued behind') },
    ]);
  });

  describe('isTransientDatabaseError', () => {
    async function errorOf(sql: string): Promise<unknown> {
      try {
        await dataSource.transaction((tx) => tx.query(sql));
      } catch (error) {
        return error;
      }
      throw new Error(`${sql} did not fail`);
    }

    it('finds a transient SQLSTATE on a TypeORM error, in its driver error, and through causes', async () => {
      const timeout = await errorOf(`SET LOCAL statement_timeout = '20ms'; SELECT pg_sleep(1)`);
      expect(timeout).toMatchObject({ code: '57014' });
      expect(isTransientDatabaseError(timeout)).toBe(true);
      expect(isTransientDatabaseError((timeout as { driverError: unknown }).driverError)).toBe(true);
      expect(isTransientDatabaseError(new Error('projection failed', { cause: timeout }))).toBe(true);
      expect(isTransientDatabaseError(new ProjectionApplyError(new Error('wrapped', { cause: timeout })))).toBe(true);
    });

    it('calls deterministic errors and errors without a SQLSTATE not transient', async () => {
      expect(isTransientDatabaseError(await errorOf('SELECT 1 / 0'))).toBe(false);
      expect(isTransientDatabaseError(await errorOf(`SELECT 'x'::int`))).toBe(false);
      expect(isTransientDatabaseError(new Error('a bug in the projection'))).toBe(false);
      expect(isTransientDatabaseError(undefined)).toBe(false);
    });
  });
});
