import pg from 'pg';
import { DataSource } from 'typeorm';
import { waitFor } from '#libs/testing';
import { httpClient, startTestApp, type TestApp } from '../support/test-app.js';
import { TOKENS } from '../support/workflow.js';

/**
 * Fault: the database stops answering a query in flight (a frozen server, a network dropping
 * packets, a lock held by someone else: to the service they look the same). Here a lock on the
 * events table holds every append. The request must not wait with it for as long as it lasts.
 */
describe('a database that stops answering', () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;

  beforeAll(async () => {
    app = await startTestApp({ env: { REQUEST_TIMEOUT_MS: '1500', READ_WAIT_TIMEOUT_MS: '1000' } });
    http = httpClient(app.url);
  });
  afterAll(async () => app?.close());

  const draft = (headline: string) => http.post('/articles', { headline, body: 'Text.', section: 'local' }, { token: TOKENS.reporter });

  it('answers 503 at the request deadline, and the work left behind ends on its own connection', async () => {
    expect((await draft('Before the stall')).status).toBe(201);

    const holder = new pg.Client(app.database.url);
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const stalled = await draft('During the stall');
      expect(stalled.status).toBe(503);
      expect(stalled.headers.get('content-type')).toContain('application/problem+json');
      expect(stalled.headers.get('retry-after')).toBe('2');
      expect(stalled.body).toMatchObject({ type: expect.stringContaining('service-unavailable'), detail: expect.stringContaining('may or may not have been saved') });
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }

    // The append that waited went through once the lock was gone, and its connection came back clean.
    const headlines = async () =>
      ((await app.app.get(DataSource).query(`SELECT data->>'headline' AS headline FROM events WHERE type = 'ArticleDrafted'`)) as { headline: string }[]).map(
        (row) => row.headline,
      );
    await waitFor(async () => (await headlines()).includes('During the stall'), { timeoutMs: 5000, describe: () => 'the append that waited was not written' });
    expect((await headlines()).sort()).toEqual(['Before the stall', 'During the stall']);
    for (let i = 0; i < 12; i++) expect((await draft(`After the stall ${i}`)).status).toBe(201);
    const leftOpen = await app.app.get(DataSource).query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
    expect(leftOpen).toEqual([]);
  });

  it('lets a rebuild the caller waits for take longer than the deadline', async () => {
    const holder = new pg.Client(app.database.url);
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const rebuilt = http.post('/admin/projections/editor-board/rebuild?wait=true', undefined, { token: TOKENS.admin });
      await new Promise((resolve) => setTimeout(resolve, 3000)); // twice the deadline
      await holder.query('COMMIT');
      expect((await rebuilt).status).toBe(200);
    } finally {
      await holder.end();
    }
  });
});
