import pg from 'pg';
import type { DataSource } from 'typeorm';
import {
  EventStore,
  type EventMetadata,
  type LogBatch,
  type LogCheckpoint,
  type ReadLogBatchOptions,
  type ReadLogOptions,
  type RecordedEvent,
} from '#libs/event-store';
import { LogFedProjection } from './log-fed-projection.js';
import type { Projection } from './projection.js';
import { countPerArticle, createArticleCountsTables } from './testing/article-counts.js';
import { runnerTestDatabase, type RunnerTestDatabase } from './testing/runner-database.js';

/** An article projection counting events per article. */
const countingInto = (name: string, table: string): Projection => ({
  name,
  streamTypes: ['article'],
  tables: [table],
  async apply(events, context) {
    await countPerArticle(events, context, table);
  },
});

/** The real store, noting what each log read returned. */
class RecordingEventStore extends EventStore {
  readonly reads: { filtered: boolean; streamTypes: string[] }[] = [];

  override async readLog(after: LogCheckpoint, options: ReadLogOptions = {}): Promise<RecordedEvent[]> {
    const events = await super.readLog(after, options);
    this.reads.push({ filtered: options.streamTypes !== undefined, streamTypes: events.map((event) => event.streamType) });
    return events;
  }

  override async readLogBatch(after: LogCheckpoint, options: ReadLogBatchOptions): Promise<LogBatch> {
    const batch = await super.readLogBatch(after, options);
    this.reads.push({ filtered: options.streamTypes !== undefined, streamTypes: batch.events.map((event) => event.streamType) });
    return batch;
  }
}

const metadata: EventMetadata = { actor: { sub: 'test', name: 'Test', roles: [] } };

/** Rejects if `promise` has not settled within `ms` (a stalled feeder would otherwise hang the spec). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('LogFedProjection (PostgreSQL)', () => {
  let database: RunnerTestDatabase;
  let dataSource: DataSource;
  let store: RecordingEventStore;
  const versions = new Map<string, number>();

  beforeAll(async () => {
    database = await runnerTestDatabase({ maxConnections: 6 });
    dataSource = database.dataSource;
    store = new RecordingEventStore(dataSource);
  });

  afterAll(async () => {
    await database?.close();
  });

  const createTables = (projection: Projection) => createArticleCountsTables(dataSource, projection);

  async function write(articleId: string, count: number, streamType = 'article', streamId = `${streamType}-${articleId}`) {
    const expectedVersion = versions.get(streamId) ?? 0;
    const result = await store.appendToStream(
      streamId,
      Array.from({ length: count }, () => ({ type: 'Happened', data: { articleId } })),
      { streamType, expectedVersion, metadata },
    );
    versions.set(streamId, result.nextExpectedVersion);
    return result;
  }

  const countsIn = async (table: string): Promise<Record<string, number>> =>
    Object.fromEntries((await dataSource.query(`SELECT article_id, events FROM ${table}`)).map((r: any) => [r.article_id, r.events]));

  describe('when the commit of a batch fails', () => {
    // Separate projections, so that a feeder left stalled by one test cannot do the other's work.
    const caughtUp = countingInto('commit-fails-catch-up', 'commit_catch_up_counts');
    const running = countingInto('commit-fails-running', 'commit_running_counts');

    beforeAll(async () => {
      // Refuses the commit (not the statements) while the flag table has a row.
      await dataSource.query('CREATE TABLE refuse_commit (reason text)');
      await dataSource.query(`
        CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM refuse_commit) THEN RAISE EXCEPTION 'commit refused by the test'; END IF;
          RETURN NULL;
        END $$`);
      for (const projection of [caughtUp, running]) {
        await createTables(projection);
        await dataSource.query(`
          CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT OR UPDATE ON ${projection.tables[0]}
          DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit()`);
      }
    });

    afterEach(() => dataSource.query('DELETE FROM refuse_commit'));

    it('catchUp applies the rolled-back batch on the next call, with nothing new in the log', async () => {
      await write('c1', 3);
      let commitsAnnounced = 0;
      const feed = new LogFedProjection(dataSource, store, caughtUp, { batchSize: 50, pollMs: 10, onApplied: () => commitsAnnounced++ });

      await dataSource.query(`INSERT INTO refuse_commit VALUES ('c1')`);
      await expect(feed.catchUp()).rejects.toThrow('commit refused by the test');
      expect(await countsIn('commit_catch_up_counts')).toEqual({});
      expect(commitsAnnounced).toBe(0);

      await dataSource.query('DELETE FROM refuse_commit');
      expect(await within(feed.catchUp(), 5000, 'catchUp after a failed commit')).toBe(3);
      expect(await countsIn('commit_catch_up_counts')).toEqual({ c1: 3 });
      // Announced once the batch committed; a look that finds nothing new announces nothing.
      expect(commitsAnnounced).toBe(1);
      await feed.catchUp();
      expect(commitsAnnounced).toBe(1);
    });

    it('the running feeder retries the rolled-back batch, with nothing new in the log', async () => {
      await write('c2', 2);
      const errors: unknown[] = [];
      const feed = new LogFedProjection(dataSource, store, running, {
        batchSize: 50,
        pollMs: 10,
        logger: { warn: () => undefined, error: (message) => errors.push(message) },
      });

      await dataSource.query(`INSERT INTO refuse_commit VALUES ('c2')`);
      feed.start();
      try {
        while (errors.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        await dataSource.query('DELETE FROM refuse_commit');
        const deadline = Date.now() + 5000;
        while ((await countsIn('commit_running_counts')).c2 !== 2 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        await feed.stop();
      }
      expect(await countsIn('commit_running_counts')).toEqual({ c1: 3, c2: 2 });
    });
  });

  describe('with batches that end by size', () => {
    const projection = countingInto('sized', 'sized_counts');

    beforeAll(() => createTables(projection));

    it('reads on to the end of the log: a batch cut by its size does not move the checkpoint past what it read', async () => {
      await write('s1', 7);
      store.reads.length = 0;
      // Every event is over one byte: one event per batch.
      const feed = new LogFedProjection(dataSource, store, projection, { batchSize: 50, pollMs: 10, maxBatchBytes: 1 });
      await within(feed.catchUp(), 10_000, 'catchUp');
      expect((await countsIn('sized_counts')).s1).toBe(7);
      const batchReads = store.reads.filter((read) => read.filtered);
      expect(batchReads.length).toBeGreaterThanOrEqual(7);
      expect(batchReads.every((read) => read.streamTypes.length <= 1)).toBe(true);
    });
  });

  describe('with events of other stream types after its own', () => {
    const projection = countingInto('article-only', 'article_only_counts');

    beforeAll(() => createTables(projection));

    it('catches up without reading them', async () => {
      await write('t1', 3);
      let lastReaction!: RecordedEvent;
      for (let reader = 0; reader < 6; reader++) {
        lastReaction = (await write('t1', 50, 'reaction', `reaction-t1-reader${reader}`)).events.at(-1)!;
      }
      store.reads.length = 0;

      const [{ articleEvents }] = await dataSource.query(
        `SELECT count(*)::int AS "articleEvents" FROM events WHERE stream_type = 'article'`,
      );
      const feed = new LogFedProjection(dataSource, store, projection, { batchSize: 50, pollMs: 10 });
      expect(await within(feed.catchUp(), 10_000, 'catchUp')).toBe(articleEvents);
      expect((await countsIn('article_only_counts')).t1).toBe(3);

      // Batch reads take only article events; the unfiltered look for anything new takes one event.
      const batchReads = store.reads.filter((read) => read.filtered);
      expect(batchReads.length).toBeGreaterThan(0);
      expect(batchReads.flatMap((read) => read.streamTypes).filter((type) => type !== 'article')).toEqual([]);
      expect(store.reads.filter((read) => !read.filtered).every((read) => read.streamTypes.length <= 1)).toBe(true);

      // The checkpoint moves over them too, so later looks do not scan them again. (Another
      // transaction open on the server may hide them from the log for a while.)
      const passed = async (): Promise<boolean> =>
        (
          await dataSource.query(
            `SELECT (transaction_id, position) >= ($2::xid8, $3::bigint) AS passed FROM projection_checkpoints WHERE projection = $1`,
            [projection.name, lastReaction.transactionId, lastReaction.position],
          )
        )[0].passed;
      const deadline = Date.now() + 10_000;
      while (!(await passed()) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await feed.catchUp();
      }
      expect(await passed()).toBe(true);
    });

    it('does not wait for events of other stream types that an open transaction still hides', async () => {
      await write('t2', 2);
      const blocker = new pg.Client({ connectionString: database.url });
      await blocker.connect();
      try {
        // An open transaction with an id hides every event committed after it from the log.
        await blocker.query('BEGIN');
        await blocker.query('SELECT pg_current_xact_id()');
        await write('t2', 20, 'reaction', 'reaction-t2-reader');

        const feed = new LogFedProjection(dataSource, store, projection, { batchSize: 50, pollMs: 10 });
        await within(feed.catchUp(), 5000, 'catchUp behind hidden reaction events');
        expect((await countsIn('article_only_counts')).t2).toBe(2);
      } finally {
        await blocker.query('ROLLBACK').catch(() => undefined);
        await blocker.end();
      }
    });
  });
});
