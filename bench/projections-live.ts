/**
 * Live lag of the projections benchmark: the real service as a child process (API + relay +
 * projections + scheduler), a steady HTTP write load of whole article workflows, and, measured
 * from outside, when each published story first shows in `GET /feed`.
 *
 * Per published story, times on this process's monotonic clock:
 *   answered  the publish request's answer arrived here
 *   log       a raw `EventStore.readLog` poller over the store's commit-safe log saw its Published
 *             event (the floor: before the relay, Kafka and the projections)
 *   kafka     a consumer of our own (same wrapper and settings as the projections', idle handler)
 *             received the Published message                                            [probes]
 *   applied   its public_feed row (published) was visible to a SQL poller               [probes]
 *   feed      the /feed sampler first saw it
 * lag = feed - answered. The intermediate times split the lag into its stages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EventStore, LOG_START, type LogCheckpoint } from '#libs/event-store';
import { KafkaClient } from '#libs/kafka';
import { freePort } from '../libs/testing/src/free-port.js';
import { killChildWhenParentDies, stopChildProcess } from '../libs/testing/src/process-reaper.js';
import { loadConfig, type AppConfig } from '../src/config/app-config.js';
import { LatencyRecorder, now, sleep, type LatencySummary } from './bench-utils.js';
import { summarizeProfile, type CpuProfile, type ProfileSummary } from './projections-profiler.js';
import { Rng, articleText } from './projections-seed.js';
import { CpuMeter, pidsNamed, processCpuSeconds, type Cleanup, type CpuReport } from './projections-sys.js';
import { NODE_FLAGS } from './service-process.js';

export interface LiveOptions {
  /** Database URL of the scratch database the service runs on (fresh, not migrated). */
  databaseUrl: string;
  databaseName: string;
  kafkaBrokers: string;
  kafkaPid?: number;
  runId: string;
  rate: number;
  warmupSeconds: number;
  measureSeconds: number;
  drainSeconds: number;
  samplerIntervalMs: number;
  feedLimit: number;
  logPollMs: number;
  probes: boolean;
  topology: 'single' | 'split';
  /** CPU-profile the service over the measured window (see projections-profiler.ts). */
  profile: boolean;
  maxInFlight: number;
  workDir: string;
  /** Service settings passed through from this process's environment (RELAY_POLL_MS, ...). */
  passThroughEnv: Record<string, string>;
  log: (line: string) => void;
}

const FEED_AT_REST_REQUESTS = 200;
const MAX_SCHEDULE_DELAY_MS = 1000;

/** Deeper pages the sampler may follow in one poll, while every story it reads is new to it. */
const MAX_PAGES_PER_POLL = 30;

/** Our own connections, told apart from the service's in pg_stat_activity. */
const BENCH_APPLICATION = 'newsroom-bench';

export type WriteKind = 'draft' | 'submit' | 'approve' | 'publish';
const WRITE_KINDS: WriteKind[] = ['draft', 'submit', 'approve', 'publish'];

export interface StageSummary {
  name: string;
  summary: LatencySummary;
  /** Stories never seen at this stage before the drain ended. */
  missing: number;
}

export interface LiveResult {
  config: AppConfig;
  topology: 'single' | 'split';
  measuredSeconds: number;
  /** Slots of the schedule dropped in the window because the writer was over a second behind (in-flight cap). */
  skippedSlots: number;
  /** Writes answered (ok or not) inside the measured window. */
  writesAnswered: number;
  writesOk: number;
  writeErrors: Record<string, number>;
  errorSamples: string[];
  achievedRate: number;
  writeLatency: Record<WriteKind | 'all', LatencySummary>;
  /** Delay between a write's slot in the schedule and its send (the writer falling behind). */
  scheduleDelay: LatencySummary;
  maxInFlightSeen: number;
  stories: number;
  feedLag: StageSummary;
  /** answered -> log, answered -> kafka, answered -> applied */
  stages: StageSummary[];
  /** Per-story increments between consecutive stages (only stories seen at both). */
  increments: StageSummary[];
  sampler: { polls: number; pollsPerSecond: number; pollMs: LatencySummary; extraPages: number; errors: number };
  backlog: { name: string; p50: number; p99: number; max: number }[];
  cpu: CpuReport;
  drainedInSeconds: number;
  observerErrors: string[];
  /** From pg_stat_user_tables over the window (approximate: counters flush about once a second). */
  batches: { eventsPerSecond: number; projectionBatchesPerSecond: number; relayBatchesPerSecond: number };
  /** CPU profiles of the service processes over the window (BENCH_PROFILE=1). */
  profiles: { name: string; summary: ProfileSummary }[];
  /** From the service's GET /metrics (null when it has none). */
  serviceSide: ServiceSideFigures | null;
  /** GET /feed?limit=50 after the run, no load: latency and the service's CPU per request. */
  feedAtRest: { latency: LatencySummary; serviceCpuMsPerRequest: number };
  /** pg_stat_activity, sampled every 250 ms in the measured window. */
  activity: {
    samples: number;
    /** Service connections active or idle in transaction. */
    busy: LatencySummary;
    meanActive: number;
    meanIdleInTransaction: number;
    /** Share of active service backends per wait event (or running). */
    waits: { wait: string; share: number }[];
    /** Service transactions holding an xid (they hold back the commit-safe log), and the oldest one's age. */
    xidHolders: LatencySummary;
    xidOldestMs: LatencySummary;
    /** Transactions open in other databases of the server, and the oldest one's age. */
    otherOpen: LatencySummary;
    otherOldestMs: LatencySummary;
  };
}

interface Story {
  n: number;
  reporter: number;
  id?: string;
  answeredAt?: number;
  measured?: boolean;
}

interface Step {
  kind: WriteKind;
  story: Story;
}

interface HttpAnswer {
  status: number;
  body: string;
}

/** A child process of the service, stopped with SIGTERM (SIGKILL after a grace period). */
class ServiceProcess {
  readonly child: ChildProcess;
  private exitStatus?: { code: number | null; signal: string | null };
  private readonly watchdog?: ChildProcess;

  constructor(
    readonly name: string,
    script: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    readonly logFile: string,
    nodeArgs: string[] = [],
  ) {
    const out = openSync(logFile, 'a');
    try {
      this.child = spawn(process.execPath, [...nodeArgs, script, ...args], { env, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    this.child.once('exit', (code, signal) => (this.exitStatus = { code, signal }));
    this.child.once('error', () => (this.exitStatus ??= { code: null, signal: null }));
    // Killed with us even if we are SIGKILLed.
    this.watchdog = killChildWhenParentDies(this.child);
    process.once('exit', () => this.killNow());
  }

  get pid(): number | undefined {
    return this.exitStatus ? undefined : this.child.pid;
  }

  get exitedWith(): { code: number | null; signal: string | null } | undefined {
    return this.exitStatus;
  }

  logTail(chars = 3000): string {
    try {
      const text = readFileSync(this.logFile, 'utf8');
      return text.length > chars ? text.slice(-chars) : text;
    } catch {
      return '(no log)';
    }
  }

  async stop(graceMs = 15_000): Promise<void> {
    await stopChildProcess(this.child, { graceMs });
    this.watchdog?.kill('SIGKILL');
  }

  killNow(): void {
    if (!this.exitStatus) this.child.kill('SIGKILL');
    this.watchdog?.kill('SIGKILL');
  }
}

function httpRequest(agent: http.Agent, port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method, path, agent, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.setTimeout(30_000, () => request.destroy(new Error('timeout after 30 s')));
    request.on('error', reject);
    request.end(body);
  });
}

/** The service's own Prometheus figures (GET /metrics), when it has them. */
interface ServiceMetrics {
  values: Map<string, number>;
}

async function scrapeMetrics(agent: http.Agent, port: number): Promise<ServiceMetrics | null> {
  try {
    const answer = await httpRequest(agent, port, 'GET', '/metrics', {});
    if (answer.status !== 200) return null;
    const values = new Map<string, number>();
    for (const line of answer.body.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      const match = /^([^\s{]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
      if (match) values.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
    }
    return { values };
  } catch {
    return null;
  }
}

/** Sum of every series of a metric whose labels contain all of `labels`. */
function metricSum(metrics: ServiceMetrics, name: string, labels: string[] = []): number {
  let sum = 0;
  for (const [key, value] of metrics.values) {
    if ((key === name || key.startsWith(`${name}{`)) && labels.every((label) => key.includes(label))) sum += value;
  }
  return sum;
}

export interface ServiceSideFigures {
  /** Event-loop delay of the API process (prom-client monitorEventLoopDelay, 10 ms timer) over the window. */
  eventLoopMs: { mean: number; p50: number; p99: number; max: number };
  /** Mean time Fastify measured per request (from reading the request to the answer), over the window. */
  meanWriteMs: number;
  meanFeedMs: number;
}

const summarize = (values: number[]): LatencySummary => {
  const recorder = new LatencyRecorder();
  for (const value of values) recorder.record(value);
  return recorder.summary();
};

/** Runs the live phase; everything it starts is registered on `cleanup` as well as stopped here. */
export async function runLive(options: LiveOptions, cleanup: Cleanup): Promise<LiveResult> {
  const { log } = options;
  const port = await freePort();
  const jwtSecret = `bench-${options.runId}-${Math.random().toString(36).slice(2)}-secret-0123456789`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...options.passThroughEnv,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.kafkaBrokers,
    KAFKA_CLIENT_ID: `newsroom-bench-${options.runId}`,
    KAFKA_TOPIC_ARTICLES: `bench-${options.runId}.article-events.v1`,
    KAFKA_TOPIC_REACTIONS: `bench-${options.runId}.reactions.v1`,
    KAFKA_GROUP_PREFIX: `bench-${options.runId}`,
    LOG_LEVEL: 'warn',
    JWT_SECRET: jwtSecret,
  };
  const config = loadConfig(env);
  const services: ServiceProcess[] = [];
  const profileFile = (name: string) => join(options.workDir, `${name}.cpuprofile`);
  const startService = (name: string, script: string, args: string[], serviceEnv: NodeJS.ProcessEnv) => {
    const nodeArgs = [...NODE_FLAGS, ...(options.profile ? ['--import', fileURLToPath(new URL('./projections-profiler.js', import.meta.url))] : [])];
    const childEnv = options.profile ? { ...serviceEnv, BENCH_PROFILE_FILE: profileFile(name) } : serviceEnv;
    const service = new ServiceProcess(name, script, args, childEnv, join(options.workDir, `${name}.log`), nodeArgs);
    services.push(service);
    cleanup.add(`stop ${name}`, () => service.stop());
    return service;
  };
  const assertAlive = () => {
    for (const service of services) {
      if (service.exitedWith) {
        throw new Error(`the ${service.name} process exited (${JSON.stringify(service.exitedWith)}):\n${service.logTail()}`);
      }
    }
  };

  if (options.topology === 'split') {
    startService('api', 'dist/src/main.js', [], env);
    startService('worker', 'dist/src/worker.js', [], env);
  } else {
    startService('service', 'dist/src/main.js', ['--with-workers'], env);
  }

  const writeAgent = new http.Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  const readAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  cleanup.add('close HTTP agents', async () => {
    writeAgent.destroy();
    readAgent.destroy();
  });

  // --- tokens: reporters draft and submit their own stories, editors approve and publish ----------
  const sign = (sub: string, name: string, roles: string[]) =>
    jwt.sign({ sub, name, roles }, jwtSecret, { algorithm: 'HS256', expiresIn: '4h' });
  const reporters = Array.from({ length: 24 }, (_, i) => sign(`bench-reporter-${i + 1}`, `Reporter ${i + 1}`, ['reporter']));
  const editors = Array.from({ length: 6 }, (_, i) => sign(`bench-editor-${i + 1}`, `Editor ${i + 1}`, ['editor']));

  // --- wait for the HTTP server ------------------------------------------------------------------
  const started = now();
  for (;;) {
    assertAlive();
    try {
      const answer = await httpRequest(readAgent, port, 'GET', '/feed?limit=1', {});
      if (answer.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (now() - started > 120_000) throw new Error(`the service did not answer GET /feed within 120 s:\n${services.map((s) => s.logTail()).join('\n')}`);
    await sleep(250);
  }
  log(`service up on port ${port} after ${((now() - started) / 1000).toFixed(1)} s (${options.topology === 'split' ? 'API and worker processes' : 'one process with --with-workers'})`);

  const rng = new Rng(4242);
  const text = articleText(rng);
  const draftBody = () =>
    JSON.stringify({ headline: text.headline(), standfirst: text.standfirst(), body: text.body(), section: text.section(), tags: text.tags() });

  const requestOf = (step: Step): { method: string; path: string; token: string; body?: string } => {
    const { story } = step;
    switch (step.kind) {
      case 'draft':
        return { method: 'POST', path: '/articles', token: reporters[story.reporter], body: draftBody() };
      case 'submit':
        return { method: 'POST', path: `/articles/${story.id}/submit`, token: reporters[story.reporter] };
      case 'approve':
        return { method: 'POST', path: `/articles/${story.id}/approve`, token: editors[story.n % editors.length] };
      case 'publish':
        return { method: 'POST', path: `/articles/${story.id}/publish`, token: editors[story.n % editors.length], body: '{}' };
    }
  };

  // --- the pipeline is up when a first story goes all the way to /feed ---------------------------
  {
    const story: Story = { n: 0, reporter: 0 };
    for (const kind of WRITE_KINDS) {
      const request = requestOf({ kind, story });
      const answer = await httpRequest(writeAgent, port, request.method, request.path, { authorization: `Bearer ${request.token}` }, request.body);
      if (answer.status >= 300) throw new Error(`warm-up ${kind} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
      if (kind === 'draft') story.id = (JSON.parse(answer.body) as { id: string }).id;
    }
    const t0 = now();
    for (;;) {
      assertAlive();
      const answer = await httpRequest(readAgent, port, 'GET', '/feed?limit=5', {});
      if (answer.status === 200 && (JSON.parse(answer.body) as { items: { id: string }[] }).items.some((item) => item.id === story.id)) break;
      if (now() - t0 > 120_000) throw new Error(`the first story did not reach /feed within 120 s:\n${services.map((s) => s.logTail()).join('\n')}`);
      await sleep(50);
    }
    log(`pipeline ready: first story reached /feed ${((now() - t0) / 1000).toFixed(1)} s after its publish answer`);
  }

  // --- observers ---------------------------------------------------------------------------------
  let measuring = false;
  let measureStart = Infinity;
  let measureEnd = Infinity;
  /** Answered as published, not yet seen in /feed or in public_feed. */
  const pendingFeed = new Map<string, Story>();
  const pendingApplied = new Set<string>();
  const storeSeen = new Map<string, number>();
  const kafkaSeen = new Map<string, number>();
  const appliedSeen = new Map<string, number>();
  const feedSeen = new Map<string, number>();
  const answered = new Map<string, Story>();
  let observing = true;
  const observers: Promise<unknown>[] = [];
  const observerErrors: string[] = [];
  const observe = (name: string, loop: () => Promise<void>) =>
    observers.push(loop().catch((error: Error) => void observerErrors.push(`${name}: ${error?.message ?? String(error)}`)));

  const pgClient = async () => {
    const client = new pg.Client({ connectionString: options.databaseUrl, application_name: BENCH_APPLICATION });
    await client.connect();
    cleanup.add('close a probe connection', () => client.end().catch(() => undefined));
    return client;
  };

  // The floor: the store's commit-safe log, read with the real EventStore.readLog.
  {
    const dataSource = await new DataSource({ type: 'postgres', url: options.databaseUrl, applicationName: BENCH_APPLICATION, extra: { max: 1 } }).initialize();
    cleanup.add('close the log poller', () => dataSource.destroy());
    const store = new EventStore(dataSource);
    let checkpoint: LogCheckpoint = LOG_START;
    // Start at the end of what is there already (the warm-up story).
    const existing = await store.readLog(LOG_START, { limit: 100_000 });
    if (existing.length) checkpoint = { transactionId: existing[existing.length - 1].transactionId, position: existing[existing.length - 1].position };
    observe('store log poller', async () => {
      while (observing) {
        const events = await store.readLog(checkpoint, { limit: 1000 });
        const at = now();
        for (const event of events) {
          if (event.type === 'Published') {
            const id = (event.data as { articleId: string }).articleId;
            if (!storeSeen.has(id)) storeSeen.set(id, at);
          }
        }
        if (events.length) checkpoint = { transactionId: events[events.length - 1].transactionId, position: events[events.length - 1].position };
        if (events.length < 1000) await sleep(options.logPollMs);
      }
    });
  }

  if (options.probes) {
    // Kafka: a consumer group of our own on the articles topic, with the projections' wrapper.
    const kafka = new KafkaClient({ brokers: options.kafkaBrokers, clientId: `bench-probe-${options.runId}`, logLevel: 'error' });
    const consumer = kafka.createConsumer({
      groupId: `${config.kafka!.groupPrefix}.bench-probe`,
      topics: [config.kafka!.topics.articles],
      fromBeginning: true,
    });
    cleanup.add('stop the Kafka probe', () => consumer.stop().catch(() => undefined));
    await consumer.start(async (batch) => {
      const at = now();
      for (const message of batch.messages) {
        if (message.headers.ce_type === 'newsroom.article.published.v1') {
          const id = message.headers.ce_subject;
          if (!kafkaSeen.has(id)) kafkaSeen.set(id, at);
        }
      }
    });

    // Applied: the public_feed row of a story answered as published, polled in SQL.
    const applied = await pgClient();
    observe('applied poller', async () => {
      while (observing) {
        const started = now();
        const pending = [...pendingApplied];
        if (pending.length) {
          const { rows } = await applied.query<{ id: string }>(
            'SELECT id::text AS id FROM public_feed WHERE id = ANY($1::uuid[]) AND published_at IS NOT NULL',
            [pending],
          );
          const at = now();
          for (const row of rows) {
            appliedSeen.set(row.id, at);
            pendingApplied.delete(row.id);
          }
        }
        await sleep(Math.max(0, options.samplerIntervalMs - (now() - started)));
      }
    });

  }

  // Once a second: the PostgreSQL backends of this database (for the CPU split) and the backlogs,
  // what the relay and each projection have not caught up with yet.
  const backlogSamples = new Map<string, number[]>();
  let servicePgPids: number[] = [];
  let benchPgPids: number[] = [];
  {
    const monitor = await pgClient();
    const refreshPids = async () => {
      const { rows } = await monitor.query<{ pid: number; bench: boolean }>(
        'SELECT pid, application_name = $2 AS bench FROM pg_stat_activity WHERE datname = $1',
        [options.databaseName, BENCH_APPLICATION],
      );
      servicePgPids = rows.filter((row) => !row.bench).map((row) => row.pid);
      benchPgPids = rows.filter((row) => row.bench).map((row) => row.pid);
    };
    await refreshPids();
    const streamsTables = ['scheduled_publications', 'editor_board', 'fact_check_queue', 'public_feed'];
    observe('monitor', async () => {
      while (observing) {
        await refreshPids();
        const { rows } = await monitor.query(
          `SELECT (SELECT coalesce(max(position), 0) FROM events) AS head,
                  (SELECT coalesce(max(position), 0) FROM relay_checkpoints) AS relay,
                  ${streamsTables.map((t) => `(SELECT coalesce(max(position), 0) FROM ${t}_streams) AS ${t}`).join(', ')}`,
        );
        const row = rows[0];
        const head = Number(row.head);
        const push = (name: string, value: number) => {
          if (!backlogSamples.has(name)) backlogSamples.set(name, []);
          if (measuring) backlogSamples.get(name)!.push(value);
        };
        push('relay (events not yet sent to Kafka)', head - Number(row.relay));
        for (const table of streamsTables) push(`${table.replace(/_/g, '-')} (events not yet applied)`, head - Number(row[table]));
        await sleep(1000);
      }
    });
  }

  // Every 250 ms: what the service's connections are doing, and whether other databases on the
  // server have transactions open (they hold back every commit-safe log reader, the relay's too).
  const activity = {
    samples: 0,
    busy: [] as number[],
    active: 0,
    idleInTransaction: 0,
    waits: new Map<string, number>(),
    xidHolders: [] as number[],
    xidOldestMs: [] as number[],
    otherOpen: [] as number[],
    otherOldestMs: [] as number[],
  };
  {
    const client = await pgClient();
    observe('activity sampler', async () => {
      while (observing) {
        const { rows } = await client.query<{ ours: boolean; bench: boolean; state: string | null; wait: string | null; in_xact: boolean; has_xid: boolean; xact_ms: number | null }>(
          `SELECT datname = $1 AS ours, application_name = $2 AS bench, state, backend_xid IS NOT NULL AS has_xid,
                  CASE WHEN wait_event_type IS NULL THEN NULL ELSE wait_event_type || ':' || wait_event END AS wait,
                  xact_start IS NOT NULL AS in_xact,
                  extract(epoch FROM clock_timestamp() - xact_start) * 1000 AS xact_ms
             FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
          [options.databaseName, BENCH_APPLICATION],
        );
        if (measuring) {
          const service = rows.filter((row) => row.ours && !row.bench);
          const active = service.filter((row) => row.state === 'active');
          const idleInTransaction = service.filter((row) => row.state?.startsWith('idle in transaction'));
          activity.samples++;
          activity.busy.push(active.length + idleInTransaction.length);
          activity.active += active.length;
          activity.idleInTransaction += idleInTransaction.length;
          for (const row of active) activity.waits.set(row.wait ?? 'running (CPU)', (activity.waits.get(row.wait ?? 'running (CPU)') ?? 0) + 1);
          // Open transactions that hold an xid keep pg_snapshot_xmin down: the log stops there.
          const holders = service.filter((row) => row.has_xid);
          activity.xidHolders.push(holders.length);
          activity.xidOldestMs.push(Math.max(0, ...holders.map((row) => Number(row.xact_ms ?? 0))));
          const others = rows.filter((row) => !row.ours && row.in_xact);
          activity.otherOpen.push(others.length);
          activity.otherOldestMs.push(Math.max(0, ...others.map((row) => Number(row.xact_ms ?? 0))));
        }
        await sleep(250);
      }
    });
  }

  // The /feed sampler.
  const samplerStart = now();
  const pollMs: number[] = [];
  let polls = 0;
  let extraPages = 0;
  let samplerErrors = 0;
  observe('feed sampler', async () => {
    while (observing) {
      const started = now();
      try {
        let path = `/feed?limit=${options.feedLimit}`;
        for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
          const answer = await httpRequest(readAgent, port, 'GET', path, {});
          const at = now();
          if (page === 0) pollMs.push(at - started);
          if (answer.status !== 200) {
            samplerErrors++;
            break;
          }
          const feed = JSON.parse(answer.body) as { items: { id: string }[]; nextCursor: string | null };
          let reachedSeen = false;
          for (const item of feed.items) {
            if (feedSeen.has(item.id)) {
              reachedSeen = true;
              continue;
            }
            feedSeen.set(item.id, at);
            pendingFeed.delete(item.id);
          }
          // A client's sync: the feed lists the stories that entered it last first, so every story new
          // since the last poll is above the stories seen then; follow the cursor (pages of 100, the
          // largest) only while a whole page was new and a story is still awaited.
          const behind = feed.nextCursor !== null && !reachedSeen && pendingFeed.size > 0;
          if (!behind) break;
          extraPages++;
          path = `/feed?limit=100&cursor=${encodeURIComponent(feed.nextCursor!)}`;
        }
        polls++;
      } catch {
        samplerErrors++;
      }
      await sleep(Math.max(0, options.samplerIntervalMs - (now() - started)));
    }
  });

  // --- the writer: a fixed schedule of slots, follow-up steps first, new stories otherwise ---------
  const interval = 1000 / options.rate;
  const ready: Step[] = [];
  const latencies = new Map<WriteKind, number[]>(WRITE_KINDS.map((kind) => [kind, []]));
  const scheduleDelays: number[] = [];
  const writeErrors: Record<string, number> = {};
  const errorSamples: string[] = [];
  let storyCount = 0;
  let inFlight = 0;
  let maxInFlightSeen = 0;
  let writesAnswered = 0;
  let skippedSlots = 0;
  let writesOk = 0;
  const inWindow = (t: number) => t >= measureStart && t <= measureEnd;

  const fire = (step: Step, slot: number) => {
    const request = requestOf(step);
    const sent = now();
    inFlight++;
    maxInFlightSeen = Math.max(maxInFlightSeen, inFlight);
    httpRequest(writeAgent, port, request.method, request.path, { authorization: `Bearer ${request.token}` }, request.body)
      .then((answer) => {
        const at = now();
        const counted = inWindow(at);
        if (counted) {
          writesAnswered++;
          latencies.get(step.kind)!.push(at - sent);
          scheduleDelays.push(sent - slot);
        }
        if (answer.status >= 300) {
          if (counted) writeErrors[`${step.kind} ${answer.status}`] = (writeErrors[`${step.kind} ${answer.status}`] ?? 0) + 1;
          if (errorSamples.length < 3) errorSamples.push(`${step.kind} ${answer.status}: ${answer.body.slice(0, 200)}`);
          return;
        }
        if (counted) writesOk++;
        const story = step.story;
        if (step.kind === 'draft') story.id = (JSON.parse(answer.body) as { id: string }).id;
        if (step.kind === 'publish') {
          story.answeredAt = at;
          story.measured = counted;
          answered.set(story.id!, story);
          if (!feedSeen.has(story.id!)) pendingFeed.set(story.id!, story);
          if (options.probes && !appliedSeen.has(story.id!)) pendingApplied.add(story.id!);
        } else {
          ready.push({ kind: WRITE_KINDS[WRITE_KINDS.indexOf(step.kind) + 1], story });
        }
      })
      .catch((error: Error) => {
        const at = now();
        if (inWindow(at)) {
          writesAnswered++;
          writeErrors[`${step.kind} ${error.message}`] = (writeErrors[`${step.kind} ${error.message}`] ?? 0) + 1;
        }
        if (errorSamples.length < 3) errorSamples.push(`${step.kind}: ${error.message}`);
      })
      .finally(() => inFlight--);
  };

  let writing = true;
  const writer = (async () => {
    const t0 = now();
    let slots = 0;
    while (writing) {
      const due = Math.floor((now() - t0) / interval) + 1;
      while (slots < due && inFlight < options.maxInFlight) {
        const slot = t0 + slots * interval;
        slots++;
        // More than a second behind: the slot is dropped rather than sent in a catch-up burst.
        if (now() - slot > MAX_SCHEDULE_DELAY_MS) {
          if (inWindow(now())) skippedSlots++;
          continue;
        }
        const step = ready.shift() ?? { kind: 'draft' as const, story: { n: storyCount, reporter: storyCount++ % reporters.length } };
        fire(step, slot);
      }
      await sleep(1);
    }
  })();

  const cpu = new CpuMeter({
    ...Object.fromEntries(services.map((s) => [`service${services.length > 1 ? ` (${s.name})` : ''}`, () => (s.pid ? [s.pid] : [])])),
    kafka: () => (options.kafkaPid ? [options.kafkaPid] : []),
    'postgres: service connections': () => servicePgPids,
    'postgres: bench probes': () => benchPgPids,
    'postgres: rest (other databases, WAL, ...)': () => pidsNamed('postgres'),
    bench: () => [process.pid],
  });

  log(`warm-up ${options.warmupSeconds} s at ${options.rate} writes/s`);
  await sleep(options.warmupSeconds * 1000);
  assertAlive();
  // Table counters around the window: appended events, projection batches (each Kafka batch of a
  // projection updates its projection_checkpoints row once), relay batches (one checkpoint write each).
  const statsClient = await pgClient();
  const tableCounters = async () => {
    const { rows } = await statsClient.query<{ relname: string; ins: string; upd: string }>(
      `SELECT relname, n_tup_ins::text AS ins, n_tup_upd::text AS upd FROM pg_stat_user_tables
        WHERE relname IN ('events', 'projection_checkpoints', 'relay_checkpoints')`,
    );
    const get = (name: string) => rows.find((row) => row.relname === name);
    return {
      events: Number(get('events')?.ins ?? 0),
      projectionBatches: Number(get('projection_checkpoints')?.upd ?? 0),
      relayBatches: Number(get('relay_checkpoints')?.upd ?? 0) + Number(get('relay_checkpoints')?.ins ?? 0),
    };
  };
  const countersBefore = await tableCounters();
  // The scrape before the window resets the event-loop histogram, the one after reads it.
  const metricsBefore = await scrapeMetrics(readAgent, port);
  log(`measuring ${options.measureSeconds} s`);
  if (options.profile) for (const service of services) writeFileSync(`${profileFile(service.name)}.start`, '');
  measureStart = now();
  measuring = true;
  cpu.start();
  await sleep(options.measureSeconds * 1000);
  measureEnd = now();
  measuring = false;
  const cpuReport = cpu.stop();
  if (options.profile) for (const service of services) writeFileSync(`${profileFile(service.name)}.stop`, '');
  const metricsAfter = await scrapeMetrics(readAgent, port);
  // pg_stat counters are flushed by each backend at most once a second: wait for the last flush.
  await sleep(1500);
  const countersAfter = await tableCounters();
  const windowSeconds = (measureEnd - measureStart) / 1000;
  const batches = {
    eventsPerSecond: (countersAfter.events - countersBefore.events) / windowSeconds,
    projectionBatchesPerSecond: (countersAfter.projectionBatches - countersBefore.projectionBatches) / windowSeconds,
    relayBatchesPerSecond: (countersAfter.relayBatches - countersBefore.relayBatches) / windowSeconds,
  };
  let serviceSide: ServiceSideFigures | null = null;
  if (metricsBefore && metricsAfter && metricsAfter.values.has('nodejs_eventloop_lag_p99_seconds')) {
    const delta = (name: string, labels: string[]) => metricSum(metricsAfter, name, labels) - metricSum(metricsBefore, name, labels);
    const lagMs = (name: string) => (metricsAfter.values.get(name) ?? NaN) * 1000;
    serviceSide = {
      eventLoopMs: {
        mean: lagMs('nodejs_eventloop_lag_mean_seconds'),
        p50: lagMs('nodejs_eventloop_lag_p50_seconds'),
        p99: lagMs('nodejs_eventloop_lag_p99_seconds'),
        max: lagMs('nodejs_eventloop_lag_max_seconds'),
      },
      meanWriteMs:
        (delta('http_request_duration_seconds_sum', ['method="POST"']) / delta('http_request_duration_seconds_count', ['method="POST"'])) * 1000,
      meanFeedMs:
        (delta('http_request_duration_seconds_sum', ['method="GET"', 'route="/feed"']) /
          delta('http_request_duration_seconds_count', ['method="GET"', 'route="/feed"'])) *
        1000,
    };
  }
  assertAlive();

  // Keep the load on while the measured stories drain through, so the last ones are not favoured.
  const measured = () => [...answered.values()].filter((story) => story.measured);
  const drainStart = now();
  const allSeen = () => measured().every((s) => feedSeen.has(s.id!) && storeSeen.has(s.id!) && (!options.probes || (kafkaSeen.has(s.id!) && appliedSeen.has(s.id!))));
  while (!allSeen() && now() - drainStart < options.drainSeconds * 1000) await sleep(50);
  const drainedInSeconds = (now() - drainStart) / 1000;
  log(`drained in ${drainedInSeconds.toFixed(1)} s${allSeen() ? '' : ' (timed out: some stories were not seen)'}`);
  writing = false;
  await writer;
  const settle = now();
  while (inFlight > 0 && now() - settle < 15_000) await sleep(20);
  observing = false;
  await Promise.allSettled(observers);

  // The feed query at rest (no writes, no sampler), one request at a time: its own cost.
  const restMs: number[] = [];
  const serviceCpuBefore = services.reduce((n, s) => n + (s.pid ? processCpuSeconds(s.pid) : 0), 0);
  for (let i = 0; i < FEED_AT_REST_REQUESTS; i++) {
    const started = now();
    const answer = await httpRequest(readAgent, port, 'GET', `/feed?limit=${options.feedLimit}`, {});
    if (answer.status === 200) restMs.push(now() - started);
  }
  const feedAtRest = {
    latency: summarize(restMs),
    serviceCpuMsPerRequest: ((services.reduce((n, s) => n + (s.pid ? processCpuSeconds(s.pid) : 0), 0) - serviceCpuBefore) * 1000) / FEED_AT_REST_REQUESTS,
  };

  const profiles: { name: string; summary: ProfileSummary }[] = [];
  for (const service of options.profile ? services : []) {
    const deadline = now() + 20_000;
    while (!existsSync(profileFile(service.name)) && now() < deadline) await sleep(200);
    await sleep(500); // written in one go, but let it finish
    try {
      profiles.push({ name: service.name, summary: summarizeProfile(JSON.parse(readFileSync(profileFile(service.name), 'utf8')) as CpuProfile) });
    } catch (error) {
      log(`no CPU profile of ${service.name}: ${(error as Error).message}`);
    }
  }

  // --- results -----------------------------------------------------------------------------------
  const stories = measured();
  const stage = (name: string, seen: Map<string, number>): StageSummary => {
    const values = stories.map((s) => (seen.has(s.id!) ? seen.get(s.id!)! - s.answeredAt! : Infinity));
    return { name, summary: summarize(values), missing: values.filter((v) => v === Infinity).length };
  };
  const increment = (name: string, from: Map<string, number>, to: Map<string, number>): StageSummary => {
    const both = stories.filter((s) => from.has(s.id!) && to.has(s.id!));
    return { name, summary: summarize(both.map((s) => to.get(s.id!)! - from.get(s.id!)!)), missing: stories.length - both.length };
  };
  const measuredSeconds = (measureEnd - measureStart) / 1000;
  const allLatencies = WRITE_KINDS.flatMap((kind) => latencies.get(kind)!);
  const writeLatency = Object.fromEntries([
    ...WRITE_KINDS.map((kind) => [kind, summarize(latencies.get(kind)!)]),
    ['all', summarize(allLatencies)],
  ]) as Record<WriteKind | 'all', LatencySummary>;

  const stages: StageSummary[] = [stage('store log (floor: readLog poller)', storeSeen)];
  const increments: StageSummary[] = [];
  if (options.probes) {
    stages.push(stage('Kafka (probe consumer got the message)', kafkaSeen));
    stages.push(stage('applied (public_feed row visible in SQL)', appliedSeen));
    increments.push(increment('publish answer -> store log', new Map(stories.map((s) => [s.id!, s.answeredAt!])), storeSeen));
    increments.push(increment('store log -> Kafka (relay poll + read + send)', storeSeen, kafkaSeen));
    increments.push(increment('Kafka -> applied (consume + apply + commit)', kafkaSeen, appliedSeen));
    increments.push(increment('applied -> /feed (feed query, sampler)', appliedSeen, feedSeen));
  }
  const percentile = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
  };
  return {
    config,
    topology: options.topology,
    measuredSeconds,
    writesAnswered,
    skippedSlots,
    writesOk,
    writeErrors,
    errorSamples,
    achievedRate: writesOk / measuredSeconds,
    writeLatency,
    scheduleDelay: summarize(scheduleDelays),
    maxInFlightSeen,
    stories: stories.length,
    feedLag: stage('/feed (sampler)', feedSeen),
    stages,
    increments,
    sampler: { polls, pollsPerSecond: polls / ((now() - samplerStart) / 1000), pollMs: summarize(pollMs), extraPages, errors: samplerErrors },
    backlog: [...backlogSamples].map(([name, values]) => ({ name, p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) })),
    cpu: cpuReport,
    drainedInSeconds,
    observerErrors,
    feedAtRest,
    serviceSide,
    profiles,
    batches,
    activity: {
      samples: activity.samples,
      busy: summarize(activity.busy),
      meanActive: activity.active / Math.max(1, activity.samples),
      meanIdleInTransaction: activity.idleInTransaction / Math.max(1, activity.samples),
      waits: [...activity.waits]
        .sort((a, b) => b[1] - a[1])
        .map(([wait, n]) => ({ wait, share: n / Math.max(1, activity.active) })),
      xidHolders: summarize(activity.xidHolders),
      xidOldestMs: summarize(activity.xidOldestMs),
      otherOpen: summarize(activity.otherOpen),
      otherOldestMs: summarize(activity.otherOldestMs),
    },
  };
}
