import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '#libs/testing';
import { seedStory } from '../support/seed-story.js';
import { httpClient, startTestApp, STAFF, tokenOf, type TestApp } from '../support/test-app.js';

/** Scheduled publishing by the worker: at its time, after a restart, and exactly once with several workers. */
describe('scheduled publishing', () => {
  const reporter = tokenOf(STAFF.reporter);
  const editor = tokenOf(STAFF.editor);
  let database: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => database?.drop());

  const start = async (workers: boolean) => {
    const app = await startTestApp({ database, workers, env: { SCHEDULER_INTERVAL_MS: '100', PROJECTION_POLL_MS: '20' } });
    apps.push(app);
    return app;
  };

  async function scheduleSoon(app: TestApp, inMs: number): Promise<{ id: string; publishAt: string }> {
    const http = httpClient(app.url);
    const drafted = await http.post('/articles', { headline: seedStory.headline, body: seedStory.body, section: 'world' }, { token: reporter });
    const id = drafted.body.id;
    await http.post(`/articles/${id}/submit`, undefined, { token: reporter });
    await http.post(`/articles/${id}/approve`, undefined, { token: editor });
    const publishAt = new Date(Date.now() + inMs).toISOString();
    const scheduled = await http.post(`/articles/${id}/schedule`, { publishAt }, { token: editor, headers: { 'x-request-id': `schedule-${id}` } });
    expect(scheduled.status).toBe(200);
    return { id, publishAt };
  }

  async function publishedEvents(app: TestApp, id: string, timeoutMs = 10_000) {
    const http = httpClient(app.url);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const history = await http.get(`/articles/${id}/history`, { token: editor });
      const published = history.body.events.filter((event: { type: string }) => event.type === 'Published');
      if (published.length > 0 || Date.now() > deadline) return published;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('publishes a scheduled article at its time, as the scheduler', async () => {
    const app = await start(true);
    const { id, publishAt } = await scheduleSoon(app, 3000);
    const [published] = await publishedEvents(app, id);
    expect(published).toMatchObject({ actor: { sub: 'system:scheduler' }, data: { scheduled: true } });
    expect(new Date(published.data.publishedAt).getTime()).toBeGreaterThanOrEqual(new Date(publishAt).getTime());
    // Traceable to the editor's request: caused by the PublishScheduled event, correlated with its request.
    const stored = await app.app.get(DataSource).query(
      `SELECT type, event_id, metadata FROM events WHERE stream_id = $1 AND type IN ('PublishScheduled', 'Published') ORDER BY position`,
      [`article-${id}`],
    );
    expect(stored).toEqual([
      { type: 'PublishScheduled', event_id: expect.any(String), metadata: expect.objectContaining({ correlationId: `schedule-${id}`, causationId: `schedule-${id}` }) },
      { type: 'Published', event_id: expect.any(String), metadata: expect.objectContaining({ correlationId: `schedule-${id}`, causationId: stored[0].event_id }) },
    ]);
  });

  it('loses no schedule across a restart', async () => {
    const api = await start(false);
    const { id } = await scheduleSoon(api, 3000);
    await api.close();
    apps.splice(apps.indexOf(api), 1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const worker = await start(true);
    expect(await publishedEvents(worker, id)).toHaveLength(1);
  });

  it('keeps a story whose claim came after scheduling scheduled past its time, and publishes the others', async () => {
    const app = await start(true);
    const http = httpClient(app.url);
    // Times a few seconds ahead: the claim must land before the waiting story falls due.
    const waiting = await scheduleSoon(app, 3000);
    const claim = await http.post(`/articles/${waiting.id}/claims`, seedStory.claims[0], { token: reporter });
    expect(claim.status).toBe(201);
    const ready = await scheduleSoon(app, 3000);

    expect(await publishedEvents(app, ready.id)).toHaveLength(1);
    // Ten more ticks of the worker (every 100 ms) past the waiting story's time.
    const pastItsTime = Date.parse(waiting.publishAt) + 1000 - Date.now();
    expect(await publishedEvents(app, waiting.id, Math.max(0, pastItsTime))).toEqual([]);
    const article = await http.get(`/articles/${waiting.id}`, { token: editor });
    expect(article.body).toMatchObject({ status: 'scheduled', publishGate: { open: false } });
  });

  it('publishes exactly once with several workers', async () => {
    const first = await start(true);
    await start(true);
    await start(true);
    const { id } = await scheduleSoon(first, 3000);
    expect(await publishedEvents(first, id)).toHaveLength(1);
    // Give the other workers every chance to publish it a second time.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await publishedEvents(first, id, 0)).toHaveLength(1);
  });
});
