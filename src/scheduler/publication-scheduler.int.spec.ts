import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { EventStore } from '#libs/event-store';
import { LogFedProjection } from '#libs/projections';
import { httpClient, startTestApp, type TestApp } from '../../test/support/test-app.js';
import { TOKENS, workflow } from '../../test/support/workflow.js';
import { Clock } from '../common/clock.js';
import { PublicationScheduler, type PublicationSchedulerOptions } from './publication-scheduler.js';
import { scheduledPublicationsProjection } from './scheduled-publications.projection.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RETRY_AFTER_MS = 30_000;

/** Moves only the scheduler's own time (its retry bookkeeping); the service keeps real time. */
class MovableClock extends Clock {
  offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/**
 * The scheduler against the real service and PostgreSQL: its commands go through the real command
 * bus and event store. No workers run; the test ticks the scheduler and feeds its projection.
 */
describe('PublicationScheduler (PostgreSQL)', () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;
  let steps: ReturnType<typeof workflow>;
  let projection: LogFedProjection;

  beforeEach(async () => {
    app = await startTestApp({ workers: false });
    http = httpClient(app.url);
    steps = workflow(http);
    projection = new LogFedProjection(app.app.get(DataSource), app.app.get(EventStore), scheduledPublicationsProjection, { batchSize: 500, pollMs: 20 });
  });
  afterEach(async () => app?.close());

  function schedulerWith(options: PublicationSchedulerOptions = {}, clock: Clock = new Clock()): PublicationScheduler {
    return new PublicationScheduler(app.app.get(DataSource), app.app.get(CommandBus), clock, app.config, options);
  }

  /** What the scheduler logs, by level. */
  function logsOf(scheduler: PublicationScheduler) {
    const logs = { warn: [] as unknown[], error: [] as unknown[] };
    scheduler['logger'].warn = (message: unknown) => void logs.warn.push(message);
    scheduler['logger'].error = (message: unknown) => void logs.error.push(message);
    return logs;
  }

  async function approvedStory(headline: string): Promise<string> {
    const { id } = await steps.draft({ headline });
    await steps.submit(id);
    await steps.approve(id);
    return id;
  }

  async function schedule(id: string, publishAt: Date): Promise<void> {
    const response = await http.post(`/articles/${id}/schedule`, { publishAt: publishAt.toISOString() }, { token: TOKENS.editor });
    if (response.status !== 200) throw new Error(`schedule answered ${response.status}: ${response.text}`);
  }

  /**
   * Schedules the stories in this order, shortly from now, each later than the one before; claims
   * are added to the `gateClosed` ones after scheduling. Returns once all are due and projected.
   */
  async function dueStories(stories: { id: string; gateClosed: boolean }[]): Promise<Map<string, string>> {
    let publishAt = 0;
    for (const story of stories) {
      // Far enough ahead that the request still finds it in the future on a busy machine.
      publishAt = Math.max(publishAt + 1, Date.now() + 2000);
      await schedule(story.id, new Date(publishAt));
    }
    const claims = new Map<string, string>();
    for (const story of stories.filter((s) => s.gateClosed)) {
      claims.set(story.id, (await steps.claim(story.id, 'The call lasted more than an hour.')).claimId);
    }
    await sleep(publishAt - Date.now() + 20);
    await projection.catchUp();
    return claims;
  }

  async function article(id: string) {
    return (await http.get(`/articles/${id}`, { token: TOKENS.editor })).body;
  }

  async function publishedEvents(id: string) {
    const history = await http.get(`/articles/${id}/history`, { token: TOKENS.editor });
    return history.body.events.filter((event: { type: string }) => event.type === 'Published');
  }

  it('publishes a due story however many older scheduled stories wait for their fact-check gate', async () => {
    const waiting = [];
    for (let i = 0; i < 4; i++) waiting.push(await approvedStory(`Waiting for a verdict ${i}`));
    const ready = await approvedStory('Ready to go');
    await dueStories([...waiting.map((id) => ({ id, gateClosed: true })), { id: ready, gateClosed: false }]);

    // More waiting stories than one batch, all due before the ready one.
    const scheduler = schedulerWith({ batchSize: 3 });
    await scheduler.publishDue();
    await scheduler.publishDue();

    const [published] = await publishedEvents(ready);
    expect(published).toMatchObject({ actor: { sub: 'system:scheduler' }, data: { scheduled: true } });
    for (const id of waiting) {
      expect(await article(id)).toMatchObject({ status: 'scheduled', publishGate: { open: false } });
      expect(await publishedEvents(id)).toEqual([]);
    }
  });

  it('publishes each due story exactly once with several schedulers, each with its own waiting list', async () => {
    const waiting = [];
    for (let i = 0; i < 3; i++) waiting.push(await approvedStory(`Waiting for a verdict ${i}`));
    const ready = [];
    for (let i = 0; i < 3; i++) ready.push(await approvedStory(`Ready to go ${i}`));
    await dueStories([...waiting.map((id) => ({ id, gateClosed: true })), ...ready.map((id) => ({ id, gateClosed: false }))]);

    const schedulers = [schedulerWith({ batchSize: 2 }), schedulerWith({ batchSize: 2 }), schedulerWith({ batchSize: 2 })];
    const counts = await Promise.all(schedulers.map((scheduler) => scheduler.publishDue()));
    // The projection still lists the published stories: a second round must not publish them again.
    await Promise.all(schedulers.map((scheduler) => scheduler.publishDue()));

    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(ready.length);
    for (const id of ready) expect(await publishedEvents(id)).toHaveLength(1);
    for (const id of waiting) expect(await publishedEvents(id)).toEqual([]);
    await projection.catchUp();
    expect(await app.app.get(DataSource).query('SELECT article_id FROM scheduled_publications ORDER BY article_id')).toEqual(
      [...waiting].sort().map((id) => ({ article_id: id })),
    );
  });

  it('keeps a story whose claim came after scheduling scheduled, warns once, and publishes it once the claim is rated', async () => {
    const id = await approvedStory('Claim added after scheduling');
    const claims = await dueStories([{ id, gateClosed: true }]);
    const clock = new MovableClock();
    const scheduler = schedulerWith({}, clock);
    const logs = logsOf(scheduler);

    expect(await scheduler.publishDue()).toBe(0);
    expect(logs.warn).toEqual([expect.objectContaining({ articleId: id })]);
    expect(await article(id)).toMatchObject({ status: 'scheduled', publishAt: expect.any(String), publishGate: { open: false } });

    // Refused again at the next retry, without a second warning.
    clock.offsetMs = RETRY_AFTER_MS + 1;
    expect(await scheduler.publishDue()).toBe(0);
    expect(logs.warn).toHaveLength(1);

    await steps.verdict(id, claims.get(id)!, 'true');
    // Not retried before its delay runs out, even though the gate is open now.
    clock.offsetMs = 2 * RETRY_AFTER_MS - 1000;
    expect(await scheduler.publishDue()).toBe(0);
    expect(await publishedEvents(id)).toEqual([]);

    clock.offsetMs = 2 * RETRY_AFTER_MS + 2;
    expect(await scheduler.publishDue()).toBe(1);
    const [published] = await publishedEvents(id);
    expect(published).toMatchObject({ actor: { sub: 'system:scheduler' }, data: { scheduled: true, overrideReason: null } });
    expect(await article(id)).toMatchObject({ status: 'published', publishGate: { open: true } });
    expect(logs).toEqual({ warn: [expect.anything()], error: [] });
  });

  it('retries a story that failed for another reason after the delay, and forgets it once it leaves the schedule', async () => {
    const dataSource = app.app.get(DataSource);
    const unknown = randomUUID();
    const addRow = () =>
      dataSource.query(`INSERT INTO scheduled_publications (article_id, publish_at) VALUES ($1, now() - interval '1 minute')`, [unknown]);
    await addRow();
    const clock = new MovableClock();
    const scheduler = schedulerWith({}, clock);
    const logs = logsOf(scheduler);

    await scheduler.publishDue();
    await scheduler.publishDue();
    expect(logs.error).toEqual([expect.objectContaining({ articleId: unknown })]);
    clock.offsetMs = RETRY_AFTER_MS + 1;
    await scheduler.publishDue();
    expect(logs.error).toHaveLength(2);

    // Gone from the schedule and back: tried at once, not after the old delay.
    await dataSource.query('DELETE FROM scheduled_publications WHERE article_id = $1', [unknown]);
    await scheduler.publishDue();
    await addRow();
    await scheduler.publishDue();
    expect(logs.error).toHaveLength(3);
  });

  it('tries every due row once a tick, through ties on publish_at and its microseconds', async () => {
    const dataSource = app.app.get(DataSource);
    const unknown = [1, 2, 3, 4, 5].map(() => randomUUID()).sort();
    await dataSource.query(
      `INSERT INTO scheduled_publications (article_id, publish_at) SELECT id, '2025-11-24 09:00:00.123456+00' FROM unnest($1::uuid[]) AS id`,
      [unknown],
    );
    const scheduler = schedulerWith({ batchSize: 2 });
    const logs = logsOf(scheduler);

    await scheduler.publishDue();
    expect(logs.error.map((entry) => (entry as { articleId: string }).articleId)).toEqual(unknown);
  });

  it('leaves a story the projection still lists after it was published alone, without an error', async () => {
    const id = await approvedStory('Published once');
    await dueStories([{ id, gateClosed: false }]);
    const scheduler = schedulerWith();
    const logs = logsOf(scheduler);

    expect(await scheduler.publishDue()).toBe(1);
    expect(await scheduler.publishDue()).toBe(0);
    expect(await publishedEvents(id)).toHaveLength(1);
    expect(logs).toEqual({ warn: [], error: [] });
  });

  it('stops at shutdown without waiting out the pause between ticks', async () => {
    const scheduler = new PublicationScheduler(app.app.get(DataSource), app.app.get(CommandBus), new Clock(), {
      ...app.config,
      scheduler: { intervalMs: 10 * 60_000 },
    });
    const logs = logsOf(scheduler);
    scheduler.onApplicationBootstrap();
    await sleep(200); // the first tick has run; the scheduler now waits ten minutes

    const outcome = await Promise.race([
      scheduler.onApplicationShutdown().then(() => 'stopped'),
      new Promise((resolve) => setTimeout(resolve, 20_000, 'still waiting').unref()),
    ]);
    expect(outcome).toBe('stopped');
    expect(logs).toEqual({ warn: [], error: [] });
  });
});
