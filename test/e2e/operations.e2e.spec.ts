import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, freePort, until, type TestDatabase } from '#libs/testing';
import { ApiProcess } from '../support/api-process.js';
import { httpClient, startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';
import { TOKENS, workflow } from '../support/workflow.js';
import { WorkerProcess } from '../support/worker-process.js';
import { eventsMissingOnKafka } from '../support/faults.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Health probes and metric scrapes share measurements cached this long (see src/health). */
const CACHE_MS = 1000;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (enough of the format for these specs). */
function parseMetrics(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) return [];
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1], label[2]]));
    return [{ name: match[1], labels, value: Number(match[3]) }];
  });
}

const sampleOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));

describe('health and metrics of an API process (projections fed by another process)', () => {
  let api: TestApp;
  let workers: TestApp | undefined;
  let http: ReturnType<typeof httpClient>;

  beforeAll(async () => {
    // No workers here: nothing applies events until the workers app below starts.
    api = await startTestApp({ env: { READY_MAX_PROJECTION_LAG_SECONDS: '1' } });
    http = httpClient(api.url);
  });
  afterAll(async () => {
    await workers?.close();
    await api?.close();
  });

  const metrics = async () => {
    const answer = await http.get('/metrics');
    expect(answer.status).toBe(200);
    return parseMetrics(answer.text);
  };

  it('GET /health: alive, without a token and without asking any dependency', async () => {
    const answer = await http.get('/health');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('GET /health/ready: the database and the projections; no Kafka or relay check where there is none', async () => {
    const answer = await http.get('/health/ready');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ok');
    expect(answer.body.details.database).toMatchObject({ status: 'up' });
    expect(answer.body.details.projections).toMatchObject({ status: 'up', stale: [], parked: [] });
    expect(Object.keys(answer.body.details.projections.projections).sort()).toEqual(
      ['editor-board', 'fact-check-queue', 'public-feed', 'reaction-counts', 'scheduled-publications'],
    );
    expect(Object.keys(answer.body.details).sort()).toEqual(['database', 'projections']);
  });

  it('is not ready (503, readable JSON) while events committed longer ago than the limit wait, and ready once applied', async () => {
    await workflow(http).publishedStory();
    await sleep(1000 + CACHE_MS + 200);

    const stale = await http.get('/health/ready');
    expect(stale.status).toBe(503);
    expect(stale.headers.get('content-type')).toMatch(/^application\/json/);
    expect(stale.body.status).toBe('error');
    expect(stale.body.error.projections.stale).toEqual(
      expect.arrayContaining(['editor-board', 'fact-check-queue', 'public-feed', 'scheduled-publications']),
    );
    // No reactions were written: a projection with nothing to apply is never stale.
    expect(stale.body.error.projections.stale).not.toContain('reaction-counts');
    const board = stale.body.details.projections.projections['editor-board'];
    expect(board.eventsBehind).toBeGreaterThanOrEqual(6);
    expect(board.secondsBehind).toBeGreaterThan(1);

    const before = await metrics();
    expect(sampleOf(before, 'newsroom_projection_lag_events', { projection: 'editor-board' })?.value).toBe(board.eventsBehind);
    expect(sampleOf(before, 'newsroom_projection_lag_seconds', { projection: 'editor-board' })?.value).toBeGreaterThan(1);
    expect(sampleOf(before, 'newsroom_projection_lag_events', { projection: 'reaction-counts' })?.value).toBe(0);

    // Projections fed from the store's log by a second process on the same database.
    workers = await startTestApp({ database: api.database, workers: true });
    const ready = await until('readiness', () => http.get('/health/ready'), (answer) => answer.status === 200);
    expect(ready.body.details.projections.projections['editor-board']).toMatchObject({ eventsBehind: 0, secondsBehind: 0, stale: false });
    const after = await metrics();
    for (const projection of ['editor-board', 'fact-check-queue', 'public-feed', 'reaction-counts', 'scheduled-publications']) {
      expect(sampleOf(after, 'newsroom_projection_lag_events', { projection })?.value).toBe(0);
      expect(sampleOf(after, 'newsroom_projection_lag_seconds', { projection })?.value).toBe(0);
    }
  });

  it('reports parked events (degraded, still 200); READY_FAIL_ON_PARKED_EVENTS makes them fail readiness', async () => {
    const dataSource = api.app.get(DataSource);
    const articleId = randomUUID();
    await dataSource.query(
      `INSERT INTO projection_dead_letters (projection, key, event_id, stream_id, stream_version, position, type, data, error)
       VALUES ('public-feed', $1, $2, $3, 1, 1, 'ArticleDrafted', '{}', 'a parked event for the health spec')`,
      [articleId, randomUUID(), `article-${articleId}`],
    );
    const strict = await startTestApp({ database: api.database, env: { READY_FAIL_ON_PARKED_EVENTS: 'true' } });
    try {
      await sleep(CACHE_MS + 100);
      const degraded = await http.get('/health/ready');
      expect(degraded.status).toBe(200);
      expect(degraded.body.status).toBe('degraded');
      expect(degraded.body.details.projections).toMatchObject({ status: 'degraded', parked: ['public-feed'], stale: [] });
      expect(degraded.body.details.projections.projections['public-feed'].parkedEvents).toBe(1);
      expect(sampleOf(await metrics(), 'newsroom_projection_parked_events', { projection: 'public-feed' })?.value).toBe(1);

      const failing = await httpClient(strict.url).get('/health/ready');
      expect(failing.status).toBe(503);
      expect(failing.body.error.projections).toMatchObject({ status: 'down', parked: ['public-feed'] });
    } finally {
      await strict.close();
      await dataSource.query(`DELETE FROM projection_dead_letters WHERE key = $1`, [articleId]);
    }
  });

  it('GET /metrics: process metrics, durations by route pattern (no ids), events appended and reactions', async () => {
    const { id } = await workflow(http).publishedStory();
    const react = (kind?: string) =>
      kind
        ? http.post(`/public/articles/${id}/reactions`, { kind }, { headers: { 'x-reader-id': 'reader-metrics-1' } })
        : http.delete(`/public/articles/${id}/reactions`, { headers: { 'x-reader-id': 'reader-metrics-1' } });
    expect((await react('like')).status).toBe(200);
    expect((await react('love')).status).toBe(200);
    expect((await react()).status).toBe(200);
    expect((await http.get(`/articles/${id}`, { token: TOKENS.editor })).status).toBe(200);
    expect((await http.get('/no/such/route/123')).status).toBe(404);

    const answer = await http.get('/metrics');
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(answer.text).not.toContain(id);
    const samples = parseMetrics(answer.text);

    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect({ name, present: sampleOf(samples, name) !== undefined }).toEqual({ name, present: true });
    }
    const requests = (method: string, route: string, status_code: string) =>
      sampleOf(samples, 'http_request_duration_seconds_count', { method, route, status_code })?.value ?? 0;
    expect(requests('POST', '/articles', '201')).toBeGreaterThanOrEqual(2);
    expect(requests('POST', '/articles/:id/publish', '200')).toBeGreaterThanOrEqual(2);
    expect(requests('GET', '/articles/:id', '200')).toBe(1);
    expect(requests('POST', '/public/articles/:id/reactions', '200')).toBe(2);
    expect(requests('GET', 'unmatched', '404')).toBe(1);
    expect(sampleOf(samples, 'http_request_duration_seconds_bucket', { route: '/articles', le: '+Inf' })?.value).toBeGreaterThanOrEqual(1);
    const routes = new Set(samples.filter((sample) => sample.name.startsWith('http_request_duration')).map((sample) => sample.labels.route));
    for (const route of routes) expect(route).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);

    const appended = (event_type: string) =>
      sampleOf(samples, 'newsroom_events_appended_total', { stream_type: event_type.startsWith('Reaction') ? 'reaction' : 'article', event_type })?.value;
    expect(appended('ArticleDrafted')).toBe(2);
    expect(appended('Published')).toBe(2);
    expect(appended('ClaimAdded')).toBe(2);
    expect(appended('ReactionAdded')).toBe(1);
    expect(sampleOf(samples, 'newsroom_reactions_total', { kind: 'like', change: 'added' })?.value).toBe(1);
    expect(sampleOf(samples, 'newsroom_reactions_total', { kind: 'love', change: 'changed' })?.value).toBe(1);
    expect(sampleOf(samples, 'newsroom_reactions_total', { kind: 'love', change: 'removed' })?.value).toBe(1);
    // An API process runs no relay.
    expect(sampleOf(samples, 'newsroom_relay_lag_events')).toBeUndefined();
  });

  it('echoes a caller\'s X-Request-Id, and gives every answer one', async () => {
    const given = `ops-${randomBytes(6).toString('hex')}`;
    expect((await http.get('/health', { headers: { 'x-request-id': given } })).headers.get('x-request-id')).toBe(given);
    const replaced = (await http.get('/health', { headers: { 'x-request-id': 'not a valid id!' } })).headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('readiness with Kafka configured but unreachable', () => {
  let api: TestApp;

  beforeAll(async () => {
    // Port 9 (discard) on the loopback: nothing listens, connections are refused at once.
    api = await startTestApp({ env: { KAFKA_BROKERS: '127.0.0.1:9', READY_CHECK_TIMEOUT_MS: '1500', READY_KAFKA_CACHE_MS: '5000' } });
  });
  afterAll(() => api?.close());

  it('answers 503 naming Kafka within the check timeout, and reuses the probe for READY_KAFKA_CACHE_MS', async () => {
    const http = httpClient(api.url);
    const startedAt = Date.now();
    const first = await http.get('/health/ready');
    // Well short of the 20 s and more kafkajs would retry for; the bound leaves a busy machine room.
    expect(Date.now() - startedAt).toBeLessThan(6000);
    expect(first.status).toBe(503);
    expect(first.body.error.kafka).toMatchObject({ status: 'down' });
    expect(first.body.info.database).toMatchObject({ status: 'up' });
    expect(first.body.details.kafka.cachedResponse).toBeUndefined();

    const second = await http.get('/health/ready');
    expect(second.status).toBe(503);
    expect(second.body.details.kafka).toMatchObject({ status: 'down', cachedResponse: true });
  });

  it('fails the relay once more than READY_MAX_RELAY_LAG_EVENTS events wait to be published, while writes still succeed', async () => {
    const withRelay = await startTestApp({
      workers: true,
      env: { KAFKA_BROKERS: '127.0.0.1:9', READY_CHECK_TIMEOUT_MS: '1500', READY_MAX_RELAY_LAG_EVENTS: '2' },
    });
    try {
      const http = httpClient(withRelay.url);
      const steps = workflow(http);
      await steps.draft();
      await steps.draft();
      const below = await http.get('/health/ready');
      expect(below.body.details.relay).toMatchObject({ status: 'up', lagEvents: 2, maxLagEvents: 2 });

      await steps.draft();
      // The lag is measured at most once a second (CACHE_MS): the next measurement counts the third.
      const above = await until('the relay lag to count the third event', () => http.get('/health/ready'), (answer) => answer.body.details.relay.lagEvents > 2);
      expect(above.status).toBe(503);
      expect(above.body.error.relay).toMatchObject({ status: 'down', lagEvents: 3, maxLagEvents: 2, lastPublishedAt: null });
    } finally {
      await withRelay.close();
    }
  });
});

/** Advisory locks held on the database: the relay's, by backend pid. */
async function relayLockHolders(databaseUrl: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT pid FROM pg_locks
        WHERE locktype = 'advisory' AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('newsroom.outbox-relay:kafka', 0)`,
    );
    return rows.map((row) => row.pid as number);
  } finally {
    await client.end();
  }
}

describe('worker processes with Kafka: WORKER_HTTP_PORT, and SIGTERM handing the relay over', () => {
  let api: TestApp;
  const workers: WorkerProcess[] = [];
  const workerHttp = new Map<WorkerProcess, ReturnType<typeof httpClient>>();

  beforeAll(async () => {
    api = await startTestApp({ kafka: true, workers: false });
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await api?.close();
  });

  async function startWorker(): Promise<{ worker: WorkerProcess; http: ReturnType<typeof httpClient> }> {
    const port = await freePort();
    // LOG_LEVEL info: the relay logs when it takes and releases its lock.
    // A frozen relay's lock session ends after 3 s idle (the active relay queries it every second).
    const worker = WorkerProcess.start({ ...api.env, WORKER_HTTP_PORT: String(port), LOG_LEVEL: 'info', RELAY_BATCH_SIZE: '20', RELAY_LOCK_SESSION_TIMEOUT_MS: '3000' });
    workers.push(worker);
    const http = httpClient(`http://127.0.0.1:${port}`);
    workerHttp.set(worker, http);
    await until('the worker to listen', () => http.get('/health').catch(() => ({ status: 0 })), (answer) => answer.status === 200, 60_000);
    return { worker, http };
  }

  const relayOf = async (http: ReturnType<typeof httpClient>) => (await http.get('/health/ready')).body.details?.relay;

  it('answers /health/ready (database, Kafka, relay, projections) and /metrics on its own port', async () => {
    const { http } = await startWorker();
    // The Kafka probe is reused for 5 s, so it may first answer from before the topics existed.
    const ready = await until('the worker to be ready with an active relay and both topics', () => http.get('/health/ready'),
      (answer) => answer.status === 200 && answer.body.details.relay?.active === true && Object.keys(answer.body.details.kafka.topics).length === 2, 60_000);
    expect(ready.body.details.kafka).toMatchObject({ status: 'up' });
    expect(Object.keys(ready.body.details.kafka.topics).sort()).toEqual([api.topics.articles, api.topics.reactions].sort());
    expect(ready.body.details.relay).toMatchObject({ status: 'up', active: true, lagEvents: 0 });

    await workflow(httpClient(api.url)).publishedStory();
    const samples = await until('the relay to publish', async () => parseMetrics((await http.get('/metrics')).text),
      (now) => (sampleOf(now, 'newsroom_relay_events_published_total')?.value ?? 0) >= 6);
    expect(sampleOf(samples, 'newsroom_relay_active')?.value).toBe(1);
    expect(sampleOf(samples, 'newsroom_relay_last_published_timestamp_seconds')?.value).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(sampleOf(samples, 'process_cpu_user_seconds_total')?.value).toBeGreaterThan(0);
    // The workers' projections catch up through Kafka.
    await until('the projections to catch up', async () => parseMetrics((await http.get('/metrics')).text),
      (now) => ['editor-board', 'public-feed'].every((projection) => sampleOf(now, 'newsroom_projection_lag_events', { projection })?.value === 0));
    const unknown = await http.get('/nothing');
    expect([unknown.status, unknown.headers.get('content-type'), unknown.body.type]).toEqual([404, 'application/problem+json', 'https://newsroom.dev/problems/not-found']);
    const head = await http.request('HEAD', '/health');
    expect([head.status, head.text]).toEqual([200, '']);
    const post = await http.request('POST', '/health/ready');
    expect([post.status, post.headers.get('allow'), post.body.type]).toEqual([405, 'GET, HEAD', 'https://newsroom.dev/problems/method-not-allowed']);
    expect(sampleOf(samples, 'newsroom_relay_lag_events')?.value).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it('SIGTERM: the relay releases its lock, a standby takes over within seconds, and nothing is lost', async () => {
    const [first] = workers; // the active relay (previous test)
    const holdersBefore = await relayLockHolders(api.database.url);
    expect(holdersBefore).toHaveLength(1);

    const { http: standby } = await startWorker();
    await until('the second worker to stand by', () => relayOf(standby), (relay) => relay?.active === false, 30_000);

    await first.stop(); // SIGTERM, and waits for the exit
    expect(first.logs).toMatch(/Outbox relay kafka: released the lock/);
    expect(first.logs).not.toMatch(/"level":"(error|fatal)"/);
    const holdersRightAfter = await relayLockHolders(api.database.url);
    expect(holdersRightAfter).not.toContain(holdersBefore[0]);

    // The standby tries for the lock every 3 s.
    const takenOverAt = Date.now();
    await until('the standby to take over', () => relayOf(standby), (relay) => relay?.active === true, 10_000);
    expect(Date.now() - takenOverAt).toBeLessThan(8000);
    const holdersAfter = await relayLockHolders(api.database.url);
    expect(holdersAfter).toHaveLength(1);
    expect(holdersAfter[0]).not.toBe(holdersBefore[0]);

    // Writes after the handover reach the read models through the new relay.
    await workflow(httpClient(api.url)).publishedStory({ headline: 'After the handover' });
    await until('everything to be applied', async () => (await standby.get('/health/ready')).body.details.projections.projections,
      (projections) => Object.values<{ eventsBehind: number; parkedEvents: number }>(projections).every((p) => p.eventsBehind === 0 && p.parkedEvents === 0), 30_000);
  }, 120_000);

  it('SIGSTOP: a frozen relay loses its lock when its session idles out, a standby takes over, and woken it stands by', async () => {
    const frozen = workers[1]; // the active relay (previous test)
    const frozenHttp = workerHttp.get(frozen)!;
    expect(await relayOf(frozenHttp)).toMatchObject({ active: true });
    const { http: standby } = await startWorker();
    await until('the third worker to stand by', () => relayOf(standby), (relay) => relay?.active === false, 30_000);
    const [holderBefore] = await relayLockHolders(api.database.url);

    frozen.signal('SIGSTOP');
    try {
      // The frozen relay's connection stays open: only the session's idle timeout (3 s) frees the lock.
      await until('the standby to take over', () => relayOf(standby), (relay) => relay?.active === true, 30_000);
      expect((await relayLockHolders(api.database.url)).filter((pid) => pid !== holderBefore)).toHaveLength(1);
      await workflow(httpClient(api.url)).publishedStory({ headline: 'While a relay was frozen' });
    } finally {
      frozen.signal('SIGCONT');
    }

    // Woken, it finds its session gone, writes no checkpoint, and stands by.
    await until('the woken relay to stand by', () => relayOf(frozenHttp), (relay) => relay?.active === false, 30_000);
    expect(await relayLockHolders(api.database.url)).toHaveLength(1);
    await until('every event to be on Kafka', () => eventsMissingOnKafka(api.app.get(DataSource), api.topics, api.env.KAFKA_BROKERS),
      (missing) => missing.articles.length === 0 && missing.reactions.length === 0, 30_000);
  }, 120_000);
});

describe('graceful shutdown of the HTTP API (SIGTERM), and its JSON logs', () => {
  let database: TestDatabase;
  let api: ApiProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await ApiProcess.start({ DATABASE_URL: database.url, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info', READ_WAIT_TIMEOUT_MS: '3000' });
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('logs each request as JSON carrying the caller\'s X-Request-Id', async () => {
    const requestId = `ops-${randomBytes(6).toString('hex')}`;
    const answer = await httpClient(api.url).get('/health', { headers: { 'x-request-id': requestId } });
    expect(answer.headers.get('x-request-id')).toBe(requestId);
    await api.waitForLog(new RegExp(`"reqId":"${requestId}".*"msg":"request completed"`));
    const lines = api.jsonLogs().filter((line) => line.reqId === requestId);
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(lines[1]).toMatchObject({ level: 'info', service: 'newsroom', role: 'api', res: { statusCode: 200 } });
  });

  it('finishes the request in flight, refuses new ones, then closes and exits', async () => {
    const http = httpClient(api.url);
    const { position } = await workflow(http).draft();
    // No projection runs in this process, so the read waits out READ_WAIT_TIMEOUT_MS (3 s).
    const startedAt = Date.now();
    const slow = http.get('/board', { token: TOKENS.editor, headers: { 'x-min-position': String(position) } });
    await sleep(500);
    api.signal('SIGTERM');
    await sleep(300);

    // A new request while draining: refused at the socket, or answered 503 shutting-down.
    const during = await fetch(`${api.url}/health/ready`).then(
      async (response) => `${response.status} ${response.headers.get('content-type')} ${((await response.json()) as { type?: string }).type}`,
      (error: Error) => error.name,
    );
    expect(during).toMatch(/^(503 application\/problem\+json.* https:\/\/newsroom\.dev\/problems\/shutting-down|TypeError)$/);

    const answer = await slow;
    const answeredAt = Date.now();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-min-position-reached')).toBe('false');
    expect(answeredAt - startedAt).toBeGreaterThanOrEqual(2900);

    const exit = await api.waitForExit();
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(exit.at).toBeGreaterThanOrEqual(answeredAt - 50);
    expect(exit.at - answeredAt).toBeLessThan(5000);
    expect(api.logs).not.toMatch(/"level":"(error|fatal)"/);
  }, 30_000);
});
