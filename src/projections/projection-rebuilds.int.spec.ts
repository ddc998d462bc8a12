import pg from 'pg';
import { DataSource } from 'typeorm';
import { EventStore, LOG_START } from '#libs/event-store';
import { ProjectionRebuilder, streamsTableOf } from '#libs/projections';
import { createTestDatabase, waitFor, type TestDatabase } from '#libs/testing';
import { httpClient, startTestApp, type TestApp } from '../../test/support/test-app.js';
import { TOKENS, workflow } from '../../test/support/workflow.js';
import { editorBoardProjection } from '../board/editor-board.projection.js';
import { ProjectionLag } from '../health/projection-lag.js';
import { ProjectionRebuilds } from './projection-rebuilds.js';
import { PROJECTIONS } from './projection-registry.js';
import { indexAndConstraintNames, rebuildLeftovers } from '../../libs/projections/src/testing/rebuild-traces.js';

const TABLES = PROJECTIONS.flatMap((projection) => [...projection.tables, streamsTableOf(projection)]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rebuilds through the running service (no workers: the read models change only by rebuilds here). */
describe('projection rebuilds in the service (PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let serviceClosed = false;
  let http: ReturnType<typeof httpClient>;
  let steps: ReturnType<typeof workflow>;
  /** The spec's own connection: it outlives the service. */
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    service = await startTestApp({ database });
    http = httpClient(service.url);
    steps = workflow(http);
    db = await new DataSource({ type: 'postgres', url: database.url }).initialize();
  });

  afterAll(async () => {
    if (!serviceClosed) await service?.close();
    await db?.destroy();
    await database?.drop();
  });

  /** Every index and constraint name of every read-model table. */
  const names = () => indexAndConstraintNames(db, TABLES);
  const leftovers = () => rebuildLeftovers(db);

  const board = async () => ({
    rows: await db.query('SELECT * FROM editor_board ORDER BY id'),
    streams: await db.query(`SELECT * FROM ${streamsTableOf(editorBoardProjection)} ORDER BY stream_id`),
  });

  const rebuildingSince = async (projection: string) =>
    (await db.query('SELECT rebuilding_since FROM projection_checkpoints WHERE projection = $1', [projection]))[0]?.rebuilding_since ?? null;

  it('keeps the index and constraint names the migrations gave every read model, rebuild after rebuild', async () => {
    const namesAfterMigrations = await names();
    expect(namesAfterMigrations.map((row: { name: string }) => row.name)).toEqual(
      expect.arrayContaining(['editor_board_by_status', 'editor_board_pkey', 'public_feed_slug_key', 'public_feed_listing_order']),
    );
    await steps.publishedStory({ headline: 'Rebuilt twice' });
    await steps.draft({ headline: 'Still a draft' });

    for (const { name } of PROJECTIONS) {
      for (const _ of [1, 2]) {
        const response = await http.post(`/admin/projections/${name}/rebuild?wait=true`, undefined, { token: TOKENS.admin });
        expect(response.status).toBe(200);
      }
    }
    expect(await names()).toEqual(namesAfterMigrations);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a wait other than true or false, and a body with fields, before starting anything', async () => {
    const lastRebuilt = async () => (await db.query('SELECT projection, rebuilt_at FROM projection_checkpoints ORDER BY projection')) as unknown[];
    const before = await lastRebuilt();
    const badWait = await http.post('/admin/projections/editor-board/rebuild?wait=maybe', undefined, { token: TOKENS.admin });
    expect(badWait.status).toBe(400);
    expect(badWait.body.errors).toEqual([{ field: 'wait', message: expect.stringContaining('true, false') }]);
    const withFields = await http.post('/admin/projections/editor-board/rebuild?wait=true', { full: true }, { token: TOKENS.admin });
    expect(withFields.status).toBe(400);
    expect(withFields.body.errors).toEqual([{ field: 'full', message: 'property full should not exist' }]);
    expect(await rebuildingSince('editor-board')).toBeNull();
    expect(await lastRebuilt()).toEqual(before);

    const waitFalse = await http.post('/admin/projections/editor-board/rebuild?wait=false', {}, { token: TOKENS.admin });
    expect(waitFalse.status).toBe(202);
    // Done (its claim gone, its time written) before the next case looks at claims.
    await waitFor(async () => (await rebuildingSince('editor-board')) === null && JSON.stringify(await lastRebuilt()) !== JSON.stringify(before));
  });

  it('shows a rebuild as running only while its claim is refreshed: one that died with its claim left is not', async () => {
    const claimed = (projection: string, ago: string) =>
      db.query(
        `INSERT INTO projection_checkpoints (projection, rebuilding_since) VALUES ($1, now() - $2::interval)
         ON CONFLICT (projection) DO UPDATE SET rebuilding_since = excluded.rebuilding_since`,
        [projection, ago],
      );
    await claimed('editor-board', '5 seconds');
    await claimed('fact-check-queue', '3 minutes');
    try {
      const statuses = await service.app.get(ProjectionRebuilds).statuses();
      const rebuilding = Object.fromEntries(statuses.map((status) => [status.name, status.rebuilding]));
      expect(rebuilding).toMatchObject({ 'editor-board': true, 'fact-check-queue': false, 'public-feed': false });
      // Readiness reports the same.
      const lag = Object.fromEntries((await service.app.get(ProjectionLag).report()).map((report) => [report.name, report.rebuilding]));
      expect(lag).toMatchObject({ 'editor-board': true, 'fact-check-queue': false, 'public-feed': false });
    } finally {
      await db.query(`UPDATE projection_checkpoints SET rebuilding_since = NULL`);
    }
  });

  it('answers 409 rebuild-in-progress while another rebuild holds the claim, and leaves the read model and the claim alone', async () => {
    // Not on the board yet: a rebuild that went through would add it.
    const { id } = await steps.draft({ headline: 'Waits for the other rebuild' });
    const servedBefore = await http.get('/board?limit=100', { token: TOKENS.editor });
    expect(servedBefore.status).toBe(200);
    expect(servedBefore.body.items.map((item: { id: string }) => item.id)).not.toContain(id);
    const before = await board();
    const checkpointBefore = await db.query('SELECT * FROM projection_checkpoints WHERE projection = $1', [editorBoardProjection.name]);

    // Another process's rebuild, as the claim shows it: fresh, so not one that died.
    await db.query(`UPDATE projection_checkpoints SET rebuilding_since = now() - interval '5 seconds' WHERE projection = $1`, [
      editorBoardProjection.name,
    ]);
    const claim = await rebuildingSince(editorBoardProjection.name);
    expect(claim).not.toBeNull();
    try {
      for (const query of ['', '?wait=true']) {
        const response = await http.post(`/admin/projections/${editorBoardProjection.name}/rebuild${query}`, undefined, { token: TOKENS.admin });
        expect(response.status).toBe(409);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({ type: 'https://newsroom.dev/problems/rebuild-in-progress', status: 409, title: 'Conflict' });
        expect(response.headers.get('location')).toBeNull();
      }

      // The claim is still the other rebuild's: neither taken over nor released.
      expect(await rebuildingSince(editorBoardProjection.name)).toEqual(claim);
      expect(await board()).toEqual(before);
      const servedAfter = await http.get('/board?limit=100', { token: TOKENS.editor });
      expect([servedAfter.status, servedAfter.body.items]).toEqual([200, servedBefore.body.items]);
    } finally {
      await db.query('UPDATE projection_checkpoints SET rebuilding_since = NULL WHERE projection = $1', [editorBoardProjection.name]);
    }
    // Only the claim was touched: position, counters and the last rebuild's time are as they were.
    expect(await db.query('SELECT * FROM projection_checkpoints WHERE projection = $1', [editorBoardProjection.name])).toEqual(checkpointBefore);
    expect(await leftovers()).toEqual([]);
  });

  it('at shutdown stops a running rebuild, releases its claim and leaves the live tables as they were', async () => {
    // Not on the board yet: a rebuild that went through would add it.
    const { id } = await steps.draft({ headline: 'Written after the last rebuild' });
    const before = await board();
    expect(before.rows.map((row: { id: string }) => row.id)).not.toContain(id);

    // Holds the rebuild at its first read of the log until the service has begun shutting down.
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const response = await http.post(`/admin/projections/${editorBoardProjection.name}/rebuild`, undefined, { token: TOKENS.admin });
      expect(response.status).toBe(202);
      // And one whose request waits for the result.
      const waiting = http.post('/admin/projections/public-feed/rebuild?wait=true', undefined, { token: TOKENS.admin });
      while (
        (
          await db.query(
            `SELECT count(*)::int AS n FROM pg_locks
              WHERE relation = 'events'::regclass AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND NOT granted`,
          )
        )[0].n < 2
      ) {
        await sleep(20);
      }

      const rebuilds = service.app.get(ProjectionRebuilds);
      const stopRebuilds = rebuilds.beforeApplicationShutdown.bind(rebuilds);
      let shutdownBegan!: () => void;
      const began = new Promise<void>((resolve) => (shutdownBegan = resolve));
      rebuilds.beforeApplicationShutdown = () => {
        const stopped = stopRebuilds();
        shutdownBegan();
        return stopped;
      };
      serviceClosed = true;
      const closing = service.close();
      await began;
      await locker.query('COMMIT');
      await closing;
      expect(await waiting).toMatchObject({ status: 503, body: { type: expect.stringContaining('shutting-down') } });
    } finally {
      await locker.end();
    }

    expect(await rebuildingSince(editorBoardProjection.name)).toBeNull();
    expect(await rebuildingSince('public-feed')).toBeNull();
    expect(await board()).toEqual(before);
    expect(await leftovers()).toEqual([]);
    // The next rebuild is accepted at once (not refused as "already being rebuilt"). It reads the
    // commit-safe log, which a transaction anywhere on the server can hold back for a moment.
    const store = new EventStore(db);
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM events');
    while ((await store.readLog(LOG_START, { limit: n + 1 })).length < n) await sleep(20);
    await new ProjectionRebuilder(db, store).rebuild(editorBoardProjection);
    expect((await board()).rows.map((row: { id: string }) => row.id)).toContain(id);
  });
});
