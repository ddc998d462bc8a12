import type { DataSource } from 'typeorm';
import { EventStore, type EventMetadata } from '#libs/event-store';
import { LogFedProjection } from './log-fed-projection.js';
import { ProjectionApplier } from './projection-applier.js';
import { ProjectionRebuilder, RebuildInProgressError } from './projection-rebuilder.js';
import { fromRecordedEvent } from './projected-event.js';
import type { ProjectedEvent, Projection } from './projection.js';
import { countPerArticle, createArticleCountsTables } from './testing/article-counts.js';
import { runnerTestDatabase, type RunnerTestDatabase } from './testing/runner-database.js';

/** A projection that counts events per article, and fails on events marked as poison. */
const counting: Projection = {
  name: 'test-counts',
  streamTypes: ['article'],
  tables: ['test_counts'],
  async apply(events, context) {
    for (const event of events) {
      if ((event.data as { poison?: boolean }).poison) throw new Error(`cannot apply ${event.eventId}`);
    }
    await countPerArticle(events, context, 'test_counts');
  },
};

const metadata: EventMetadata = { actor: { sub: 'test', name: 'Test', roles: [] } };

describe('projection runner (PostgreSQL)', () => {
  let database: RunnerTestDatabase;
  let dataSource: DataSource;
  let store: EventStore;
  const versions = new Map<string, number>();

  beforeAll(async () => {
    database = await runnerTestDatabase({ maxConnections: 8 });
    dataSource = database.dataSource;
    await createArticleCountsTables(dataSource, counting);
    store = new EventStore(dataSource);
  });

  afterAll(async () => {
    await database?.close();
  });

  async function write(articleId: string, count = 1, data: object = {}, streamType = 'article') {
    const streamId = `${streamType}-${articleId}`;
    const expectedVersion = versions.get(streamId) ?? 0;
    const result = await store.appendToStream(
      streamId,
      Array.from({ length: count }, () => ({ type: 'Happened', data: { articleId, ...data } })),
      { streamType, expectedVersion, metadata },
    );
    versions.set(streamId, result.nextExpectedVersion);
    return result;
  }

  const counts = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await dataSource.query('SELECT article_id, events FROM test_counts')).map((r: any) => [r.article_id, r.events]));

  const feed = () => new LogFedProjection(dataSource, store, counting, { batchSize: 50, pollMs: 10 });

  async function applyDirectly(events: ProjectedEvent[]) {
    const applier = new ProjectionApplier(counting);
    return dataSource.transaction(async (tx) => {
      await applier.lock(tx, 'exclusive');
      return applier.applyBatch(tx, events);
    });
  }

  it('applies the log once, skips redelivered and replayed events, and ignores other stream types', async () => {
    await write('a1', 3);
    await write('a2', 2);
    await write('r1', 4, {}, 'reaction');
    expect(await feed().catchUp()).toBe(5);
    expect(await counts()).toEqual({ a1: 3, a2: 2 });

    // Redelivery of the same events, and a replay out of order, change nothing.
    const all = (await store.readStream('article-a1')).map(fromRecordedEvent);
    expect(await applyDirectly(all)).toEqual({ applied: 0, skipped: 3, parked: 0, lastEventAt: null });
    expect(await applyDirectly([all[2], all[0], all[1]])).toEqual({ applied: 0, skipped: 3, parked: 0, lastEventAt: null });
    expect(await counts()).toEqual({ a1: 3, a2: 2 });
  });

  it('applies an article once when two consumers get the same batch at the same time', async () => {
    await write('twice', 3);
    const events = (await store.readStream('article-twice')).map(fromRecordedEvent);
    const applier = new ProjectionApplier(counting);
    // As in a rebalance, when a partition's old owner is still applying what its new owner got.
    const results = await Promise.all(
      [0, 1].map(() =>
        applier.transact(dataSource, async (tx, isolate) => {
          await applier.lock(tx, 'shared', events.map((event) => event.key));
          return applier.applyBatch(tx, events, { isolate });
        }),
      ),
    );
    expect(results.map((result) => result.applied).sort()).toEqual([0, 3]);
    expect((await counts()).twice).toBe(3);
  });

  it('parks an event after a gap instead of applying it out of order', async () => {
    await write('g1', 1);
    const [first] = (await store.readStream('article-g1')).map(fromRecordedEvent);
    const ahead = { ...first, eventId: '00000000-0000-7000-8000-00000000aaaa', streamVersion: 3 } as ProjectedEvent;
    expect(await applyDirectly([ahead])).toEqual({ applied: 0, skipped: 0, parked: 1, lastEventAt: null });
    const [parked] = await dataSource.query(`SELECT key, error FROM projection_dead_letters WHERE event_id = $1`, [ahead.eventId]);
    expect(parked).toEqual({ key: 'g1', error: expect.stringContaining('missing events') });
  });

  it('parks an article whose event cannot be applied; other articles go on; later events queue behind it', async () => {
    const before = await counts();
    await write('p1', 1);
    await write('p1', 1, { poison: true });
    await write('ok1', 2);
    await write('p1', 1);
    await feed().catchUp();
    const after = await counts();
    expect(after.ok1).toBe(2);
    expect(after.p1).toBe(1);
    expect(after.a1).toBe(before.a1);
    const parked = await dataSource.query(
      `SELECT stream_version, error FROM projection_dead_letters WHERE projection = 'test-counts' AND key = 'p1' ORDER BY stream_version`,
    );
    expect(parked).toEqual([
      { stream_version: 2, error: expect.stringContaining('cannot apply') },
      { stream_version: 3, error: expect.stringContaining('queued behind') },
    ]);

    // Another stream of the same article (key p1), where no version gap can give it away: it
    // queues behind the parked event too, in a later batch as in the same one.
    await store.appendToStream('article-p1-other', [{ type: 'Happened', data: { articleId: 'p1' } }], { streamType: 'article', expectedVersion: 0, metadata });
    await feed().catchUp();
    expect((await counts()).p1).toBe(1);
    const [queued] = await dataSource.query(
      `SELECT key, error FROM projection_dead_letters WHERE projection = 'test-counts' AND stream_id = 'article-p1-other'`,
    );
    expect(queued).toEqual({ key: 'p1', error: expect.stringContaining('queued behind') });
  });

  it('rebuilds into fresh tables that equal the live ones, while writes and reads go on', async () => {
    const live = feed();
    live.start();
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await write(`w${i % 7}`, 1);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    let readerSawEmpty = false;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM test_counts');
        if (n === 0) readerSawEmpty = true;
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 300));
    const rebuilder = new ProjectionRebuilder(dataSource, store, { batchSize: 20 });
    const result = await rebuilder.rebuild(counting);
    expect(result.applied).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    writing = false;
    await writer;
    reading = false;
    await reader;
    await live.catchUp();
    await live.stop();

    expect(readerSawEmpty).toBe(false);
    const afterLive = await counts();
    // A second rebuild from scratch must give exactly what the live projection has now.
    await rebuilder.rebuild(counting);
    expect(await counts()).toEqual(afterLive);
    // The rebuild re-parked the poisoned article rather than applying it: its poison, the event
    // after it, and the other stream's event queued behind them.
    expect(afterLive.p1).toBe(1);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM projection_dead_letters WHERE key = 'p1'`);
    expect(n).toBe(3);
  });

  it('refuses a second rebuild of the same projection while one runs', async () => {
    await dataSource.query(`UPDATE projection_checkpoints SET rebuilding_since = now() WHERE projection = 'test-counts'`);
    await expect(new ProjectionRebuilder(dataSource, store).rebuild(counting)).rejects.toBeInstanceOf(RebuildInProgressError);
    await dataSource.query(`UPDATE projection_checkpoints SET rebuilding_since = NULL WHERE projection = 'test-counts'`);
  });
});
