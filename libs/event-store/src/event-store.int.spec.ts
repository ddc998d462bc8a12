import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestDatabase, genericPlanOf } from '#libs/testing';
import { AppendCombiner, COMBINED_APPEND, type SingleAppend } from './append-combiner.js';
import { isDatabaseUnavailable } from './database-errors.js';
import { newEventId } from './event-ids.js';
import { withPgClient } from './pg-client.js';
import { APPEND, EventStore, READ_STREAMS } from './event-store.js';
import { WrongExpectedVersionError } from './event-store.errors.js';
import { EVENT_STORE_MIGRATIONS } from './index.js';
import { LOG_START, type EventMetadata, type LogCheckpoint, type RecordedEvent } from './event-store.types.js';

const metadata: EventMetadata = { actor: { sub: 'alice', name: 'Alice Chen', roles: ['reporter'] }, correlationId: 'c-1' };
const event = (n: number) => ({ type: 'Something', data: { n } });

describe('EventStore (PostgreSQL)', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let store: EventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      migrations: EVENT_STORE_MIGRATIONS,
      extra: { max: 20 },
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
    store = new EventStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const append = (streamId: string, expectedVersion: number, count = 1) =>
    store.appendToStream(
      streamId,
      Array.from({ length: count }, (_, i) => event(i)),
      { streamType: 'test', expectedVersion, metadata },
    );

  async function readAllFrom(checkpoint: LogCheckpoint): Promise<{ events: RecordedEvent[]; checkpoint: LogCheckpoint }> {
    const events: RecordedEvent[] = [];
    for (;;) {
      const batch = await store.readLog(checkpoint, { limit: 100 });
      if (batch.length === 0) return { events, checkpoint };
      events.push(...batch);
      const last = batch[batch.length - 1];
      checkpoint = { transactionId: last.transactionId, position: last.position };
    }
  }

  /**
   * Reads until `count` events have come. The log shows nothing newer than the oldest transaction
   * still open on the whole server, and other specs run alongside, so a single read may come short.
   */
  async function readCount(checkpoint: LogCheckpoint, count: number) {
    const events: RecordedEvent[] = [];
    const deadline = Date.now() + 20_000;
    while (events.length < count && Date.now() < deadline) {
      const read = await readAllFrom(checkpoint);
      events.push(...read.events);
      checkpoint = read.checkpoint;
      if (events.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { events, checkpoint };
  }

  /** A checkpoint past every event written so far. */
  async function endOfLog(): Promise<LogCheckpoint> {
    const [{ n }] = await dataSource.query('SELECT count(*)::int AS n FROM events');
    return (await readCount(LOG_START, n)).checkpoint;
  }

  it('appends with versions, metadata and positions, and reads the stream back', async () => {
    const first = await append('s-basic', 0, 2);
    expect(first.nextExpectedVersion).toBe(2);
    expect(first.events.map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(first.events[1].position).toBeGreaterThan(first.events[0].position);
    expect(first.lastPosition).toBe(first.events[1].position);
    const second = await append('s-basic', 2);
    expect(second.events[0].streamVersion).toBe(3);

    const stream = await store.readStream('s-basic');
    expect(stream.map((e) => [e.streamVersion, e.type, e.data])).toEqual([
      [1, 'Something', { n: 0 }],
      [2, 'Something', { n: 1 }],
      [3, 'Something', { n: 0 }],
    ]);
    expect(stream[0].metadata).toEqual(metadata);
    expect(stream[0].eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stream[0].transactionId).toMatch(/^\d+$/);
    expect(await store.readStream('s-basic', { toVersion: 2 })).toHaveLength(2);
    const inTransaction = await dataSource.transaction((manager) => store.readStream('s-basic', { afterVersion: 1, toVersion: 2, manager }));
    expect(inTransaction.map((e) => e.streamVersion)).toEqual([2]);
    expect(await store.readStream('s-missing')).toEqual([]);
  });

  it('refuses an append at a version already taken and writes nothing', async () => {
    await append('s-taken', 0, 2);
    await expect(append('s-taken', 1)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(append('s-taken', 0)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(await store.readStream('s-taken')).toHaveLength(2);
  });

  it('refuses an expected version ahead of the stream instead of leaving a gap', async () => {
    await append('s-gap', 0, 1);
    await expect(append('s-gap', 5)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(append('s-new-gap', 3)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect((await store.readStream('s-gap')).map((e) => e.streamVersion)).toEqual([1]);
    expect(await store.readStream('s-new-gap')).toEqual([]);
  });

  it('lets exactly one of many concurrent writers at the same expected version win', async () => {
    await append('s-race', 0, 1);
    const results = await Promise.allSettled(Array.from({ length: 16 }, () => append('s-race', 1)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(15);
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    expect((await store.readStream('s-race')).map((e) => e.streamVersion)).toEqual([1, 2]);
  });

  it('combines concurrent one-event appends, each still succeeding or failing on its own', async () => {
    await append('s-combined-taken', 0);
    const attempts = await Promise.allSettled([
      ...Array.from({ length: 40 }, (_, i) => append(`s-combined-${i}`, 0)),
      // Lost races and a version ahead of the stream fail alone.
      append('s-combined-taken', 0),
      append('s-combined-taken', 3),
      // Two appends of one stream in flight at once: exactly one wins.
      append('s-combined-twice', 0),
      append('s-combined-twice', 0),
    ]);
    const fulfilled = attempts.map((attempt) => attempt.status === 'fulfilled');
    expect(fulfilled.slice(0, 40).every(Boolean)).toBe(true);
    expect(fulfilled.slice(40, 42)).toEqual([false, false]);
    expect((attempts[40] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    expect((attempts[41] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    expect(fulfilled.slice(42, 44).filter(Boolean)).toHaveLength(1);

    const written = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value.events[0]] : []));
    expect(new Set(written.map((event) => event.position)).size).toBe(written.length);
    // Combined: many appends shared a transaction (one statement, one commit).
    expect(new Set(written.map((event) => event.transactionId)).size).toBeLessThan(written.length / 2);
    for (const event of written) {
      const [stored] = await store.readStream(event.streamId, { toVersion: event.streamVersion });
      expect(stored.position).toBe(event.position);
    }
    expect(await store.readStream('s-combined-taken')).toHaveLength(1);
    expect(await store.readStream('s-combined-twice')).toHaveLength(1);
  });

  it('fails only the faulty append of a combined statement', async () => {
    const attempts = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => append(`s-faulty-neighbour-${i}`, 0)),
      // jsonb cannot hold a NUL: PostgreSQL refuses the whole statement this event is in.
      store.appendToStream('s-faulty', [{ type: 'Something', data: { text: 'nul \u0000 here' } }], {
        streamType: 'test',
        expectedVersion: 0,
        metadata,
      }),
      ...Array.from({ length: 10 }, (_, i) => append(`s-faulty-neighbour-${i + 10}`, 0)),
    ]);
    expect(attempts.map((attempt) => attempt.status)).toEqual([
      ...Array(10).fill('fulfilled'),
      'rejected',
      ...Array(10).fill('fulfilled'),
    ]);
    expect((attempts[10] as PromiseRejectedResult).reason).not.toBeInstanceOf(WrongExpectedVersionError);
    expect(await store.readStream('s-faulty')).toEqual([]);
  });

  it('does not send a combined append again when its connection is lost: it may have committed', async () => {
    // The statement runs and commits; then the answer is lost, as when the connection drops just after.
    const lostAnswer = new Error('Connection terminated unexpectedly');
    const combiner = new AppendCombiner(
      (run) => withPgClient(dataSource, undefined, async (client) => {
        await run(client);
        throw lostAnswer;
      }),
      1,
    );
    const sentAlone: string[] = [];
    const singleAppend = (streamId: string): SingleAppend => ({
      eventId: newEventId(),
      streamId,
      streamType: 'test',
      expectedVersion: 0,
      type: 'Something',
      data: '{"n":0}',
      metadata: JSON.stringify(metadata),
    });
    const streams = Array.from({ length: 5 }, (_, i) => `s-lost-answer-${i}`);
    const attempts = await Promise.allSettled(
      streams.map((streamId) => combiner.append(singleAppend(streamId), async () => {
        sentAlone.push(streamId);
        throw new Error('must not be sent again');
      })),
    );
    expect(attempts.map((attempt) => (attempt as PromiseRejectedResult).reason)).toEqual(streams.map(() => lostAnswer));
    expect(isDatabaseUnavailable(lostAnswer)).toBe(true);
    expect(sentAlone).toEqual([]);
    // Written once each: the caller answers "unavailable, may or may not have been saved".
    for (const streamId of streams) expect((await store.readStream(streamId)).map((e) => e.streamVersion)).toEqual([1]);
  });

  it('reads streams asked for at once (one batched statement), each up to its own version', async () => {
    await append('s-together-a', 0, 3);
    await append('s-together-b', 0, 2);
    const [a, aToTwo, aAfterOne, aAfterThree, b, none] = await Promise.all([
      store.readStream('s-together-a'),
      store.readStream('s-together-a', { toVersion: 2 }),
      store.readStream('s-together-a', { afterVersion: 1 }),
      store.readStream('s-together-a', { afterVersion: 3 }),
      store.readStream('s-together-b'),
      store.readStream('s-together-none'),
    ]);
    expect(a.map((e) => [e.streamId, e.streamVersion])).toEqual([['s-together-a', 1], ['s-together-a', 2], ['s-together-a', 3]]);
    expect(aToTwo.map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(aAfterOne.map((e) => e.streamVersion)).toEqual([2, 3]);
    expect(aAfterThree).toEqual([]);
    expect(b.map((e) => [e.streamId, e.streamVersion, e.data])).toEqual([['s-together-b', 1, { n: 0 }], ['s-together-b', 2, { n: 1 }]]);
    expect(none).toEqual([]);
  });

  it('plans the appends and the stream reads to probe the index even when first prepared on an empty table', async () => {
    // A connection keeps a statement's generic plan: one made while the table was empty must not
    // read the whole table on every append once it has grown.
    const empty = await createTestDatabase();
    const emptySource = new DataSource({ type: 'postgres', url: empty.url, migrations: EVENT_STORE_MIGRATIONS });
    try {
      await emptySource.initialize();
      await emptySource.runMigrations();
      const plan = await genericPlanOf(emptySource, COMBINED_APPEND.text, ['jsonb'], [`'[]'`]);
      expect(plan).toContain('Index Only Scan using events_stream_version_unique');
      expect(plan).not.toContain('Seq Scan on events');
      // A single append checks its one stream once (an InitPlan), whatever the number of events.
      const appendPlan = await genericPlanOf(emptySource, APPEND.text, ['text', 'text', 'int', 'jsonb', 'jsonb'], [`'s'`, `'t'`, '1', `'[]'`, `'{}'`]);
      expect(appendPlan).toContain('Index Only Scan using events_stream_version_unique');
      expect(appendPlan).not.toContain('Seq Scan on events');
      const readPlan = await genericPlanOf(emptySource, READ_STREAMS.text, ['text[]', 'int[]', 'int[]'], [`'{s}'`, `'{0}'`, `'{1}'`]);
      expect(readPlan).toContain('Index Scan using events_stream_version_unique');
      expect(readPlan).not.toMatch(/Seq Scan|Hash/);
    } finally {
      await emptySource.destroy();
      await empty.drop();
    }
  });

  it('does not pass an open transaction with a lower position, and delivers it once it commits', async () => {
    const start = await endOfLog();

    const slow = dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    const held = await store.appendToStream('s-slow', [event(1)], {
      streamType: 'test',
      expectedVersion: 0,
      metadata,
      manager: slow.manager,
    });
    const later1 = await append('s-fast-1', 0);
    const later2 = await append('s-fast-2', 0);
    expect(later1.lastPosition).toBeGreaterThan(held.lastPosition);

    // The later transactions have committed, but the reader must wait for the held one.
    const whileOpen = await readAllFrom(start);
    expect(whileOpen.events).toEqual([]);
    expect(whileOpen.checkpoint).toEqual(start);
    // Lag still counts what is held back: a reader waiting on it is behind all the same.
    expect(await store.countAfter(start)).toBe(2);

    await slow.commitTransaction();
    await slow.release();

    const afterCommit = await readCount(whileOpen.checkpoint, 3);
    expect(afterCommit.events.map((e) => e.streamId)).toEqual(['s-slow', 's-fast-1', 's-fast-2']);
    expect(afterCommit.events.map((e) => e.position)).toEqual([held.lastPosition, later1.lastPosition, later2.lastPosition]);
    expect((await readAllFrom(afterCommit.checkpoint)).events).toEqual([]);
  });

  it('never skips or repeats an event while many writers commit out of order', async () => {
    const start = await endOfLog();
    const writers = 8;
    const perWriter = 40;
    let writing = true;
    const seen: RecordedEvent[] = [];

    const reader = (async () => {
      let checkpoint = start;
      while (writing) {
        const read = await readAllFrom(checkpoint);
        seen.push(...read.events);
        checkpoint = read.checkpoint;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      // Drain: everything written must arrive once the writers are done.
      seen.push(...(await readCount(checkpoint, writers * perWriter - seen.length)).events);
    })();

    const written: number[] = [];
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          // Some transactions stay open for a while after taking their position.
          const runner = dataSource.createQueryRunner();
          await runner.connect();
          await runner.startTransaction();
          const result = await store.appendToStream(`s-many-${w}`, [event(i)], {
            streamType: 'test',
            expectedVersion: i,
            metadata,
            manager: runner.manager,
          });
          if ((w + i) % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 5 + ((w * 7 + i) % 11)));
          await runner.commitTransaction();
          await runner.release();
          written.push(result.lastPosition);
        }
      }),
    );
    writing = false;
    await reader;

    const positions = seen.map((e) => e.position);
    expect(new Set(positions).size).toBe(positions.length);
    expect([...positions].sort((a, b) => a - b)).toEqual([...written].sort((a, b) => a - b));
    // Each stream is read in version order.
    for (let w = 0; w < writers; w++) {
      const versions = seen.filter((e) => e.streamId === `s-many-${w}`).map((e) => e.streamVersion);
      expect(versions).toEqual(Array.from({ length: perWriter }, (_, i) => i + 1));
    }
  });

  it('orders the log by transaction id as a number, not as text', async () => {
    // Rows stamped with transaction ids on either side of a digit boundary (both long finished).
    for (const [transactionId, version] of [['1000', 1], ['999', 2]] as const) {
      await dataSource.query(
        `INSERT INTO events (transaction_id, event_id, stream_id, stream_type, stream_version, type, data, metadata)
         VALUES ($1::xid8, gen_random_uuid(), 's-digits', 'digits', $2, 'Something', '{}', '{}')`,
        [transactionId, version],
      );
    }
    const read = await store.readLog(LOG_START, { streamTypes: ['digits'] });
    expect(read.map((e) => e.transactionId)).toEqual(['999', '1000']);
  });

  it('filters the log by stream type but still moves past other events', async () => {
    const start = await endOfLog();
    await store.appendToStream('t-a', [event(1)], { streamType: 'alpha', expectedVersion: 0, metadata });
    await store.appendToStream('t-b', [event(2)], { streamType: 'beta', expectedVersion: 0, metadata });
    await readCount(start, 2);
    const onlyBeta = await store.readLog(start, { streamTypes: ['beta'] });
    expect(onlyBeta.map((e) => e.streamId)).toEqual(['t-b']);
    expect(await store.countAfter(start)).toBe(2);
    const found = await store.readEventAt(onlyBeta[0].position);
    expect(found?.streamId).toBe('t-b');
    expect(await store.readEventAt(-1)).toBeNull();
  });

  it('measures a batch by its events as text, not as stored: repetitive text compresses a hundredfold', async () => {
    const start = await endOfLog();
    // 200,000 characters of one sentence: about 3 KB once PostgreSQL has compressed it.
    const story = (n: number) => ({ type: 'Long', data: { n, body: 'The council met again. '.repeat(8_700) } });
    await store.appendToStream('t-compressible', [1, 2, 3, 4, 5].map(story), { streamType: 'compressible', expectedVersion: 0, metadata });
    await readCount(start, 5);
    const [{ stored }] = await dataSource.query(`SELECT max(pg_column_size(data)) AS stored FROM events WHERE stream_id = 't-compressible'`);
    expect(stored).toBeLessThan(20_000);
    // A budget under two stories' text ends the batch after the second, however small they are on disk.
    const batch = await store.readLogBatch(start, { limit: 50, maxBytes: 350_000, streamTypes: ['compressible'] });
    expect(batch.events.map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(batch.reachedEnd).toBe(false);
  });

  it('ends a batch by the size of its events, always reads the first, and says when the log ended', async () => {
    const start = await endOfLog();
    // Random text: about 40 KB per event.
    const big = (n: number) => ({ type: 'Big', data: { n, text: randomBytes(30_000).toString('base64') } });
    await store.appendToStream('t-sized', [1, 2, 3, 4, 5].map(big), { streamType: 'sized', expectedVersion: 0, metadata });
    await readCount(start, 5);
    const overBudget = await store.readLogBatch(start, { limit: 50, maxBytes: 1, streamTypes: ['sized'] });
    expect(overBudget.events.map((e) => e.streamVersion)).toEqual([1]);
    expect(overBudget.reachedEnd).toBe(false);

    const firstTwo = await store.readLogBatch(start, { limit: 50, maxBytes: 60_000, streamTypes: ['sized'] });
    expect(firstTwo.events.map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(firstTwo.reachedEnd).toBe(false);
    const last = firstTwo.events[1];
    const rest = await store.readLogBatch({ transactionId: last.transactionId, position: last.position }, { limit: 50, maxBytes: 1_000_000, streamTypes: ['sized'] });
    expect(rest.events.map((e) => e.streamVersion)).toEqual([3, 4, 5]);
    expect(rest.events[2].data).toEqual(expect.objectContaining({ n: 5 }));
    expect(rest.reachedEnd).toBe(true);

    // Cut by count, not size: more may follow.
    expect((await store.readLogBatch(start, { limit: 3, maxBytes: 1_000_000, streamTypes: ['sized'] })).reachedEnd).toBe(false);
    // Past the end: nothing, and the end.
    const end = rest.events[2];
    expect(await store.readLogBatch({ transactionId: end.transactionId, position: end.position }, { limit: 50, maxBytes: 1, streamTypes: ['sized'] })).toEqual({ events: [], reachedEnd: true });
  });
});
