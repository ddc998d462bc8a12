import type pg from 'pg';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { startPostgresServer, type ThrowawayPostgres } from '#libs/testing';
import { ApiProcess } from '../support/api-process.js';
import { nothingUnapplied, readModelSnapshot, rebuildAll, waitUntilApplied } from '../support/read-model-audit.js';
import { httpClient, startTestApp, TEST_JWT_SECRET, type HttpResult } from '../support/test-app.js';
import { readTopics } from '../support/topic-reader.js';
import { TOKENS, workflow } from '../support/workflow.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const KINDS = ['like', 'dislike', 'love', 'funny', 'angry', 'sad', 'wow'];

interface Outcome {
  what: string;
  status: number;
  body: { position?: number | null; type?: string } | undefined;
  retryAfter: string | null;
  at: number;
}

/**
 * Fault: PostgreSQL crashes (immediate shutdown: no checkpoint, WAL recovery at the next start)
 * while staff write and readers react, stays down for a while, and comes back. The service (API,
 * relay, Kafka-fed projections and scheduler in one process) must keep running, answer 503 while
 * the database is gone, lose no write it acknowledged, publish every event to Kafka, and leave
 * every read model equal to a full rebuild: nothing lost, nothing counted twice.
 */
describe('the database crashing under load and coming back', () => {
  let postgres: ThrowawayPostgres;
  let api: ApiProcess;
  let dataSource: DataSource;
  const suffix = uuidv7().slice(-12);
  const topics = { articles: `test.article-events.${suffix}`, reactions: `test.reactions.${suffix}` };

  beforeAll(async () => {
    postgres = await startPostgresServer(process.env.DATABASE_URL, { durable: true });
    api = await ApiProcess.start(
      {
        DATABASE_URL: postgres.url,
        KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
        KAFKA_TOPIC_ARTICLES: topics.articles,
        KAFKA_TOPIC_REACTIONS: topics.reactions,
        KAFKA_GROUP_PREFIX: `test.${suffix}`,
        KAFKA_TOPIC_PARTITIONS: '3',
        JWT_SECRET: TEST_JWT_SECRET,
        REACTION_RATE_PER_ADDRESS: '100000',
      },
      ['--with-workers'],
    );
    dataSource = await new DataSource({ type: 'postgres', url: postgres.url }).initialize();
  });

  afterAll(async () => {
    if (process.env.DEBUG_SPEC) console.log(api?.logs);
    await api?.stop();
    await dataSource?.destroy();
    await postgres?.stop();
  });

  /** Staff draft stories and add notes, readers react, until `until()`; every answer is kept. */
  async function load(http: ReturnType<typeof httpClient>, stories: string[], until: () => boolean): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const record = (what: string, response: HttpResult) =>
      outcomes.push({ what, status: response.status, body: response.body, retryAfter: response.headers.get('retry-after'), at: Date.now() });
    let reader = 0;
    const staff = async () => {
      while (!until()) {
        const drafted = await http.post('/articles', { headline: `Written through a crash ${outcomes.length}`, body: 'Body.', section: 'world' }, { token: TOKENS.reporter });
        record('draft', drafted);
        if (drafted.status === 201) record('note', await http.post(`/articles/${drafted.body.id}/notes`, { text: 'Checked.' }, { token: TOKENS.factChecker }));
        else await sleep(50);
      }
    };
    const readers = async () => {
      while (!until()) {
        const n = reader++;
        const response = await http.post(
          `/public/articles/${stories[n % stories.length]}/reactions`,
          { kind: KINDS[n % KINDS.length] },
          { headers: { 'x-reader-id': `reader-crash-${String(n).padStart(6, '0')}` } },
        );
        record('reaction', response);
        if (response.status >= 500) await sleep(50);
      }
    };
    await Promise.all([staff(), staff(), readers(), readers(), readers(), readers()]);
    return outcomes;
  }

  it('answers 503 while it is down, then loses no event and counts nothing twice', async () => {
    const http = httpClient(api.url);
    const steps = workflow(http);
    const stories: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { id } = await steps.draft({ headline: `Story read through a crash ${i}` });
      await steps.submit(id);
      await steps.approve(id);
      await steps.publish(id);
      stories.push(id);
    }

    // Load before, during and after the outage.
    let stopLoad = false;
    const loading = load(http, stories, () => stopLoad);
    await sleep(1500);
    await postgres.halt('immediate');
    await sleep(3000);
    const readyWhileDown = await http.get('/health/ready');
    await postgres.resume();
    const upAt = Date.now();
    await sleep(3000);
    stopLoad = true;
    const outcomes = await loading;

    // While it was down: 503 with Retry-After, never a 500; writes succeed again after.
    expect(readyWhileDown.status).toBe(503);
    const failed = outcomes.filter((outcome) => outcome.status >= 500);
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed.map((outcome) => outcome.status))).toEqual(new Set([503]));
    expect(failed.every((outcome) => outcome.retryAfter !== null && outcome.body?.type?.endsWith('/service-unavailable'))).toBe(true);
    const refused = outcomes.filter((outcome) => outcome.status >= 400 && outcome.status < 500);
    expect(refused).toEqual([]);
    const acknowledged = outcomes.filter((outcome) => outcome.status < 300 && typeof outcome.body?.position === 'number');
    expect(acknowledged.filter((outcome) => outcome.at < upAt).length).toBeGreaterThan(20);
    expect(acknowledged.filter((outcome) => outcome.at > upAt).length).toBeGreaterThan(20);
    if (process.env.DEBUG_SPEC) console.log({ outcomes: outcomes.length, acknowledged: acknowledged.length, failed: failed.length });

    // Every acknowledged write survived the crash.
    const positions = acknowledged.map((outcome) => outcome.body!.position!);
    const [{ found }] = await dataSource.query('SELECT count(*)::int AS found FROM events WHERE position = ANY($1::bigint[])', [positions]);
    expect(found).toBe(positions.length);

    // Every event reaches Kafka.
    const events: { event_id: string; stream_type: string }[] = await dataSource.query('SELECT event_id, stream_type FROM events');
    const expectOnTopic = async (topic: string, streamType: (type: string) => boolean) => {
      const wanted = new Set(events.filter((event) => streamType(event.stream_type)).map((event) => event.event_id));
      const messages = await readTopics([topic], (all) => new Set(all.map((m) => m.headers.ce_id)).size >= wanted.size, 60_000);
      const delivered = new Set(messages.map((message) => message.headers.ce_id));
      expect([...wanted].filter((id) => !delivered.has(id))).toEqual([]);
    };
    await expectOnTopic(topics.articles, (type) => type !== 'reaction');
    await expectOnTopic(topics.reactions, (type) => type === 'reaction');

    // The read models caught up and hold exactly what a rebuild holds.
    expect(await waitUntilApplied(dataSource, 90_000)).toEqual(nothingUnapplied());
    const live = await readModelSnapshot(dataSource);
    await rebuildAll(dataSource);
    expect(await readModelSnapshot(dataSource)).toEqual(live);
    expect(live.deadLetters).toEqual([0]);

    expect((await http.get('/health/ready')).status).toBe(200);
  });
});

describe('a database connection that cannot be had in time', () => {
  it('answers 503 after DATABASE_CONNECT_TIMEOUT_MS instead of waiting forever, and recovers', async () => {
    const app = await startTestApp({ env: { DATABASE_POOL_SIZE: '1', DATABASE_CONNECT_TIMEOUT_MS: '300' } });
    try {
      const http = httpClient(app.url);
      // Take the only connection of the service's pool and keep it.
      const pool = (app.app.get(DataSource).driver as unknown as { master: pg.Pool }).master;
      const held = await pool.connect();
      const startedAt = Date.now();
      const refused = await http.post('/articles', { headline: 'Waits for a connection', body: 'Body.', section: 'world' }, { token: TOKENS.reporter });
      const waited = Date.now() - startedAt;
      held.release();

      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(5000);
      const drafted = await http.post('/articles', { headline: 'Gets one', body: 'Body.', section: 'world' }, { token: TOKENS.reporter });
      expect(drafted.status).toBe(201);
    } finally {
      await app.close();
    }
  });
});

describe('a transaction of ours left open', () => {
  it('is ended by the server after DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS, so it cannot hold back the log for good', async () => {
    const app = await startTestApp({ env: { DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '300' } });
    const leaked = app.app.get(DataSource).createQueryRunner();
    try {
      await leaked.startTransaction();
      await leaked.query('SELECT pg_current_xact_id()'); // takes a transaction id: the log waits for it
      await sleep(1000);
      await expect(leaked.query('SELECT 1')).rejects.toThrow();
      const [{ timeout }] = await app.app.get(DataSource).query(`SELECT current_setting('idle_in_transaction_session_timeout') AS timeout`);
      expect(timeout).toBe('300ms');
    } finally {
      await leaked.release().catch(() => undefined);
      await app.close();
    }
  });
});
