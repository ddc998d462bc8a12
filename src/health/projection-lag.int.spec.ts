import { randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { streamsTableOf } from '#libs/projections';
import { until } from '#libs/testing';
import { projectionDatabase, type ProjectionDatabase } from '../../test/support/projection-database.js';
import { editorBoardProjection } from '../board/editor-board.projection.js';
import { PROJECTIONS } from '../projections/projection-registry.js';
import { ProjectionLag, type ProjectionLagReport } from './projection-lag.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STREAMS = streamsTableOf(editorBoardProjection);

/** Records that the board was rebuilt just now, as a rebuild's swap does. */
const markBoardRebuilt = (dataSource: DataSource) =>
  dataSource.query(
    `INSERT INTO projection_checkpoints (projection, rebuilt_at) VALUES ($1, now())
     ON CONFLICT (projection) DO UPDATE SET rebuilt_at = now()`,
    [editorBoardProjection.name],
  );

/** Whether `report` has every value of `expected`. */
const matches = (report: object, expected: object) =>
  Object.entries(expected).every(([key, value]) => (report as Record<string, unknown>)[key] === value);

/**
 * The lag definition against PostgreSQL: an event counts while it is committed and neither
 * applied (the projection's version of its stream is below it) nor parked. "Applied" is written
 * straight into the projection's streams table here; that table is all the measurement reads.
 */
describe('ProjectionLag (PostgreSQL)', () => {
  let db: ProjectionDatabase;
  let lag: ProjectionLag;

  beforeAll(async () => {
    db = await projectionDatabase();
    lag = new ProjectionLag(db.dataSource);
  });
  afterAll(() => db?.close());

  /**
   * The board's report once it shows `expected`. Answers are cached for a second, so it waits that
   * out first; then it polls rather than reading once, as the commit-safe horizon is cluster-wide:
   * a transaction open in another spec on the same server can hide events for a while.
   */
  async function board(expected: Partial<ProjectionLagReport>): Promise<ProjectionLagReport> {
    await sleep(1050);
    const read = async () => (await lag.report()).find((report) => report.name === editorBoardProjection.name)!;
    return until(`the board's lag to be ${JSON.stringify(expected)}`, read, (report) => matches(report, expected));
  }

  async function append(streamId: string, versions: number[], streamType = 'article'): Promise<{ eventId: string; position: number }[]> {
    const rows: { event_id: string; position: string }[] = await db.dataSource.query(
      `INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
       SELECT gen_random_uuid(), $1, $2, v, 'ArticleRevised', '{}', '{}' FROM unnest($3::int[]) AS v
       RETURNING event_id, position`,
      [streamId, streamType, versions],
    );
    return rows.map((row) => ({ eventId: row.event_id, position: Number(row.position) }));
  }

  const applyUpTo = (streamId: string, version: number) =>
    db.dataSource.query(
      `INSERT INTO ${STREAMS} (stream_id, version, position) VALUES ($1, $2, 0)
       ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version`,
      [streamId, version],
    );

  it('is zero on an empty log', async () => {
    await board({ eventsBehind: 0, secondsBehind: 0, parkedEvents: 0 });
  });

  it('counts committed events not applied yet, and ages them by the oldest', async () => {
    await append('article-a', [1, 2, 3]);
    await append('reaction-x', [1], 'reaction'); // not a stream type the board reads
    await db.dataSource.query(`UPDATE events SET recorded_at = now() - interval '40 seconds' WHERE stream_id = 'article-a' AND stream_version = 1`);
    const report = await board({ eventsBehind: 3 });
    expect(report.secondsBehind).toBeGreaterThanOrEqual(40);
    expect(report.secondsBehind).toBeLessThan(45);
  });

  it('drops what is applied; nothing left means zero seconds, however old the log is', async () => {
    await applyUpTo('article-a', 2);
    await board({ eventsBehind: 1 });
    await applyUpTo('article-a', 3);
    await board({ eventsBehind: 0, secondsBehind: 0 });
  });

  it('still sees events written after it passed the head', async () => {
    await append('article-b', [1]);
    await append('article-a', [4]);
    await board({ eventsBehind: 2 });
    await applyUpTo('article-b', 1);
    await applyUpTo('article-a', 4);
    await board({ eventsBehind: 0 });
  });

  it('reports parked events apart and does not count them as lag', async () => {
    const [parked] = await append('article-c', [1]);
    await db.dataSource.query(
      `INSERT INTO projection_dead_letters (projection, key, event_id, stream_id, stream_version, position, type, data, error)
       VALUES ($1, 'c', $2, 'article-c', 1, $3, 'ArticleRevised', '{}', 'failed in the spec')`,
      [editorBoardProjection.name, parked.eventId, parked.position],
    );
    try {
      await board({ eventsBehind: 0, secondsBehind: 0, parkedEvents: 1 });
    } finally {
      await db.dataSource.query(`DELETE FROM projection_dead_letters`);
    }
  });

  it('measures from scratch after a rebuild swapped the tables', async () => {
    // As after a rebuild that (in this made-up case) lost streams: the old cursor must not hide them.
    await db.dataSource.query(`DELETE FROM ${STREAMS} WHERE stream_id = 'article-b'`);
    await markBoardRebuilt(db.dataSource);
    await board({ eventsBehind: 2 }); // article-b v1 and the no longer parked article-c v1
  });

  it('counts events held back behind a transaction still open, and its own once it commits', async () => {
    await applyUpTo('article-b', 1);
    await applyUpTo('article-c', 1);
    const open = db.dataSource.createQueryRunner();
    await open.connect();
    await open.startTransaction();
    try {
      await open.query(`INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
                        VALUES ($1, 'article-d', 'article', 1, 'ArticleDrafted', '{}', '{}')`, [randomUUID()]);
      await append('article-e', [1]); // committed, but the commit-safe log holds it back until the open one ends
      await board({ eventsBehind: 1 });
      await open.commitTransaction();
    } finally {
      await open.release();
    }
    await board({ eventsBehind: 2 });
  });
});

/**
 * A long log that every projection has applied (Kafka-fed: projection_checkpoints stays at the
 * log's start). The measurement walks it once; a process started later must not walk it again.
 * "Rows read" are the events table's and its indexes' tuples read in the measuring transaction.
 */
describe('ProjectionLag on a long log (PostgreSQL)', () => {
  const ARTICLES = 400;
  const VERSIONS = 10;
  const REACTIONS = 1000;
  const EVENTS = ARTICLES * VERSIONS + REACTIONS;
  /** A few index and heap rows per projection: the head, and what is pending. */
  const A_FEW_ROWS = 200;
  let db: ProjectionDatabase;

  beforeAll(async () => {
    db = await projectionDatabase();
    for (let version = 1; version <= VERSIONS; version++) {
      await appendMany('article', ARTICLES, version);
    }
    await appendMany('reaction', REACTIONS, 1);
    await applyEverything();
    await db.dataSource.query('ANALYZE');
    await untilCommitSafe();
  });
  afterAll(() => db?.close());

  /** One event (at `version`) on each of `count` streams of the type, in one transaction. */
  const appendMany = (streamType: string, count: number, version: number) =>
    db.dataSource.query(
      `INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
       SELECT gen_random_uuid(), $1 || '-' || n, $1, $2, 'Spec', '{}', '{}' FROM generate_series(1, $3::int) AS n`,
      [streamType, version, count],
    );

  /** Every projection has applied every event of its stream types (as its streams table says). */
  async function applyEverything(): Promise<void> {
    for (const projection of PROJECTIONS) {
      await db.dataSource.query(
        `INSERT INTO ${streamsTableOf(projection)} (stream_id, version, position)
         SELECT stream_id, max(stream_version), max(position) FROM events WHERE stream_type = ANY($1::text[]) GROUP BY stream_id
         ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, position = excluded.position`,
        [projection.streamTypes],
      );
    }
  }

  /** The horizon is cluster-wide: wait until no transaction open elsewhere hides our events. */
  const untilCommitSafe = () =>
    until(
      'every event to be below the commit-safe horizon',
      async () => (await db.dataSource.query(
        `SELECT pg_snapshot_xmin(pg_current_snapshot()) > max(transaction_id) AS safe FROM events`,
      ))[0].safe as boolean,
      (safe) => safe,
    );

  /**
   * Tuples of the events table and its indexes read by this session's backend. The counts include
   * earlier transactions whose statistics the backend has not flushed yet, so a measurement takes
   * the difference within one transaction (nothing is flushed inside one).
   */
  const tuplesRead = async (session: QueryRunner): Promise<number> =>
    (await session.query(
      `SELECT sum(pg_stat_get_xact_tuples_returned(oid) + pg_stat_get_xact_tuples_fetched(oid))::int AS tuples
         FROM pg_class WHERE oid = 'events'::regclass OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'events'::regclass)`,
    ))[0].tuples;

  /** A first measurement by a new ProjectionLag (a new process), and the rows it read. */
  async function measureAsANewProcess(): Promise<{ reports: ProjectionLagReport[]; rowsRead: number }> {
    const session = db.dataSource.createQueryRunner();
    await session.connect();
    try {
      await session.startTransaction();
      const before = await tuplesRead(session);
      const sessionOnly = { query: (sql: string, params?: unknown[]) => session.query(sql, params) } as unknown as DataSource;
      const reports = await new ProjectionLag(sessionOnly).report();
      const rowsRead = (await tuplesRead(session)) - before;
      await session.commitTransaction();
      return { reports, rowsRead };
    } finally {
      await session.release();
    }
  }

  const behind = (reports: ProjectionLagReport[]) => Object.fromEntries(reports.map((report) => [report.name, report.eventsBehind]));
  const none = Object.fromEntries(PROJECTIONS.map((projection) => [projection.name, 0]));

  it('reads the log once; a process started later starts where the others got to', async () => {
    const first = await measureAsANewProcess();
    expect(behind(first.reports)).toEqual(none);
    expect(first.rowsRead).toBeGreaterThanOrEqual(EVENTS); // the walk a new process used to make

    const later = await measureAsANewProcess();
    expect(behind(later.reports)).toEqual(none);
    expect(later.rowsRead).toBeLessThan(A_FEW_ROWS);
  });

  it('still counts what was written after the stored cursor', async () => {
    await appendMany('article', 3, VERSIONS + 1);
    await untilCommitSafe();
    try {
      const { reports, rowsRead } = await measureAsANewProcess();
      const articleProjections = PROJECTIONS.filter((projection) => projection.streamTypes.includes('article'));
      expect(behind(reports)).toEqual({ ...none, ...Object.fromEntries(articleProjections.map((projection) => [projection.name, 3])) });
      expect(rowsRead).toBeLessThan(A_FEW_ROWS);
    } finally {
      await applyEverything();
    }
  });

  it('does not trust a cursor stored before the last rebuild', async () => {
    // As after a rebuild that (in this made-up case) lost a stream: the stored cursor must not hide it.
    await db.dataSource.query(`DELETE FROM ${STREAMS} WHERE stream_id = 'article-1'`);
    await markBoardRebuilt(db.dataSource);
    const { reports } = await measureAsANewProcess();
    expect(behind(reports)).toEqual({ ...none, [editorBoardProjection.name]: VERSIONS + 1 });

    // Once caught up again, the cursor stored for this rebuild serves the next new process.
    await applyEverything();
    expect(behind((await measureAsANewProcess()).reports)).toEqual(none);
    const later = await measureAsANewProcess();
    expect(behind(later.reports)).toEqual(none);
    expect(later.rowsRead).toBeLessThan(A_FEW_ROWS);
  });
});
