import type pg from 'pg';
import { DataSource } from 'typeorm';
import { startPostgresServer, type ThrowawayPostgres } from '#libs/testing';
import { ApiProcess } from '../support/api-process.js';
import { httpClient, startTestApp } from '../support/test-app.js';
import { TOKENS } from '../support/workflow.js';
import {
  acknowledged,
  eventsMissingOnKafka,
  missingWrites,
  newsroomLoad,
  publishedStories,
  serviceWithKafka,
} from '../support/faults.js';
import { expectReadModelsEqualARebuild } from '../support/read-model-audit.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
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
  let topics: { articles: string; reactions: string };

  beforeAll(async () => {
    postgres = await startPostgresServer(process.env.DATABASE_URL, { durable: true });
    const service = serviceWithKafka(postgres.url, process.env.KAFKA_BROKERS!);
    topics = service.topics;
    api = await ApiProcess.start(service.env, ['--with-workers']);
    dataSource = await new DataSource({ type: 'postgres', url: postgres.url }).initialize();
  });

  afterAll(async () => {
    await api?.stop();
    await dataSource?.destroy();
    await postgres?.stop();
  });

  it('answers 503 while it is down, then loses no event and counts nothing twice', async () => {
    const http = httpClient(api.url);
    const stories = await publishedStories(http, 3);

    // Load before, during and after the outage.
    let stopLoad = false;
    const loading = newsroomLoad(http, stories, () => stopLoad);
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
    const written = acknowledged(outcomes);
    expect(written.filter((outcome) => outcome.at < upAt).length).toBeGreaterThan(20);
    expect(written.filter((outcome) => outcome.at > upAt).length).toBeGreaterThan(20);

    // Every acknowledged write survived the crash, reached Kafka, and is in the read models once.
    expect(await missingWrites(dataSource, written)).toEqual([]);
    expect(await eventsMissingOnKafka(dataSource, topics, process.env.KAFKA_BROKERS!)).toEqual({ articles: [], reactions: [] });
    await expectReadModelsEqualARebuild(dataSource);

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
