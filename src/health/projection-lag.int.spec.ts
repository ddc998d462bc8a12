import { randomUUID } from 'node:crypto';
import { streamsTableOf } from '#libs/projections';
import { projectionDatabase, type ProjectionDatabase } from '../../test/support/projection-database.js';
import { editorBoardProjection } from '../board/editor-board.projection.js';
import { ProjectionLag, type ProjectionLagReport } from './projection-lag.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STREAMS = streamsTableOf(editorBoardProjection);

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

  /** A fresh measurement: answers are cached for a second. */
  async function board(): Promise<ProjectionLagReport> {
    await sleep(1050);
    return (await lag.report()).find((report) => report.name === editorBoardProjection.name)!;
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
    expect(await board()).toMatchObject({ eventsBehind: 0, secondsBehind: 0, parkedEvents: 0 });
  });

  it('counts committed events not applied yet, and ages them by the oldest', async () => {
    await append('article-a', [1, 2, 3]);
    await append('reaction-x', [1], 'reaction'); // not a stream type the board reads
    await db.dataSource.query(`UPDATE events SET recorded_at = now() - interval '40 seconds' WHERE stream_id = 'article-a' AND stream_version = 1`);
    const report = await board();
    expect(report.eventsBehind).toBe(3);
    expect(report.secondsBehind).toBeGreaterThanOrEqual(40);
    expect(report.secondsBehind).toBeLessThan(45);
  });

  it('drops what is applied; nothing left means zero seconds, however old the log is', async () => {
    await applyUpTo('article-a', 2);
    expect(await board()).toMatchObject({ eventsBehind: 1 });
    await applyUpTo('article-a', 3);
    expect(await board()).toMatchObject({ eventsBehind: 0, secondsBehind: 0 });
  });

  it('still sees events written after it passed the head', async () => {
    await append('article-b', [1]);
    await append('article-a', [4]);
    expect(await board()).toMatchObject({ eventsBehind: 2 });
    await applyUpTo('article-b', 1);
    await applyUpTo('article-a', 4);
    expect(await board()).toMatchObject({ eventsBehind: 0 });
  });

  it('reports parked events apart and does not count them as lag', async () => {
    const [parked] = await append('article-c', [1]);
    await db.dataSource.query(
      `INSERT INTO projection_dead_letters (projection, key, event_id, stream_id, stream_version, position, type, data, error)
       VALUES ($1, 'c', $2, 'article-c', 1, $3, 'ArticleRevised', '{}', 'failed in the spec')`,
      [editorBoardProjection.name, parked.eventId, parked.position],
    );
    try {
      expect(await board()).toMatchObject({ eventsBehind: 0, secondsBehind: 0, parkedEvents: 1 });
    } finally {
      await db.dataSource.query(`DELETE FROM projection_dead_letters`);
    }
  });

  it('measures from scratch after a rebuild swapped the tables', async () => {
    // As after a rebuild that (in this made-up case) lost streams: the old cursor must not hide them.
    await db.dataSource.query(`DELETE FROM ${STREAMS} WHERE stream_id = 'article-b'`);
    await db.dataSource.query(
      `INSERT INTO projection_checkpoints (projection, rebuilt_at) VALUES ($1, now())
       ON CONFLICT (projection) DO UPDATE SET rebuilt_at = now()`,
      [editorBoardProjection.name],
    );
    expect(await board()).toMatchObject({ eventsBehind: 2 }); // article-b v1 and the no longer parked article-c v1
  });

  it('waits for a transaction still open, then counts its events (commit-safe order)', async () => {
    await applyUpTo('article-b', 1);
    await applyUpTo('article-c', 1);
    const open = db.dataSource.createQueryRunner();
    await open.connect();
    await open.startTransaction();
    try {
      await open.query(`INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
                        VALUES ($1, 'article-d', 'article', 1, 'ArticleDrafted', '{}', '{}')`, [randomUUID()]);
      await append('article-e', [1]); // commits after the open one began: hidden until it ends
      expect(await board()).toMatchObject({ eventsBehind: 0 });
      await open.commitTransaction();
    } finally {
      await open.release();
    }
    expect(await board()).toMatchObject({ eventsBehind: 2 });
  });
});
