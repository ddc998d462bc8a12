/**
 * npm run bench:projections
 *
 * Projections benchmark, against one PostgreSQL server (scratch databases created for the run and
 * dropped at the end) and one Kafka broker (started for the run unless KAFKA_BROKERS is set):
 *
 *   1. Rebuild throughput. A fresh database is filled with a realistic log made by the service's own
 *      deciders (see projections-seed.ts): thousands of articles through the whole workflow, events
 *      interleaved, and readers' reaction streams. Then ProjectionRebuilder.rebuild() (fresh tables +
 *      swap, as POST /admin/projections/:name/rebuild) runs for each projection, one after the other.
 *      Per projection: the events it read and applied, and log events/s (events in the log / its
 *      seconds: how fast it gets through this log, what a rebuild's duration follows); the target is
 *      judged on the slowest projection. Also printed: the whole read side, events in the log / the
 *      sum of the rebuilds' seconds (each event counted once), and each projection's applied/s.
 *      Reference in the same run: the raw read of the same log, EventStore.readLog in batches and a
 *      plain `SELECT * FROM events` through pg. After the rebuilds the read models are checked against
 *      what the generator expects (counts, no parked events).
 *   2. Live lag. The real service runs as a child process (`node dist/src/main.js --with-workers`)
 *      on a fresh database with Kafka; this process writes whole article workflows over HTTP at a
 *      steady rate (draft, submit, approve, publish) and a sampler polls GET /feed to see when each
 *      published story first appears. Reference: a raw readLog poller on the store's commit-safe log
 *      (the floor before relay, Kafka and projections); with BENCH_PROBES=1, probes in between (a
 *      Kafka consumer of our own, a SQL poller on public_feed) split the lag into its stages (see
 *      projections-live.ts).
 *   3. A report with the machine, the settings, the figures with their references, and the targets
 *      with PASS/FAIL. The exit code is 0 either way: it is a report, not a test.
 *
 * Settings (env, defaults in brackets):
 *   DATABASE_URL [the local server's Unix socket, else 127.0.0.1:5432]  server to create the scratch databases on
 *   KAFKA_BROKERS  use this Kafka instead of starting a broker (topics and groups are unique per run)
 *   BENCH_PHASES [rebuild,live]
 *   Rebuild: BENCH_EVENTS [240000] events to seed (at least)   BENCH_CONCURRENT_ARTICLES [300] in progress
 *            at once   BENCH_MEAN_READERS [12] readers reacting per published story   BENCH_SEED [20251127]
 *            BENCH_REBUILD_BATCH [5000]   BENCH_REBUILD_ROUNDS [1] (median per projection when > 1)
 *   Live:    BENCH_RATE [500] writes/s   BENCH_WARMUP_SECONDS [10]   BENCH_LIVE_SECONDS [40]
 *            BENCH_DRAIN_SECONDS [30] longest wait for the measured stories after the window (load stays on)
 *            BENCH_SAMPLER_MS [10]   BENCH_FEED_LIMIT [50]   BENCH_LOG_POLL_MS [5] floor poller idle wait
 *            BENCH_PROBES [0] 1 adds a Kafka and a public_feed probe that split the lag into stages;
 *              they cost about 0.1 core of PostgreSQL and some of the bench's CPU, on a machine the
 *              service already shares, so the target is judged on a run without them
 *            BENCH_TOPOLOGY [single] single = main.js --with-workers; split = main.js + worker.js
 *            BENCH_MAX_IN_FLIGHT [256]   BENCH_KEEP_LOGS [0] keep the service logs (and profiles)
 *            BENCH_PROFILE [0] CPU-profile the service over the measured window (adds some overhead)
 *   Service settings set in this environment are passed to the service: DATABASE_POOL_SIZE,
 *   KAFKA_TOPIC_PARTITIONS, RELAY_BATCH_SIZE, RELAY_POLL_MS, PROJECTION_BATCH_SIZE, ... (see the report).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { EventStore, LOG_START, type LogCheckpoint } from '#libs/event-store';
import { ProjectionRebuilder, type RebuildResult } from '#libs/projections';
import { KafkaBroker, ensureKafkaJars } from '../libs/testing/src/kafka-broker.js';
import { MIGRATIONS } from '../src/database/migrations.js';
import { runMigrations } from '../src/database/run-migrations.js';
import { PROJECTIONS } from '../src/projections/projection-registry.js';
import {
  envFlag,
  envNumber,
  fmtInt,
  fmtMs,
  fmtRatio,
  now,
  passFail,
  renderTable,
  runOnServer,
  type LatencySummary,
} from './bench-utils.js';
import { runLive, type LiveResult, type StageSummary } from './projections-live.js';
import { generateLog, insertRows, type SeedSummary } from './projections-seed.js';
import { busiestProcesses, Cleanup, CpuMeter, loadAverage, machineDescription, pidsNamed, type CpuReport } from './projections-sys.js';
import { defaultDatabaseUrl } from './service-process.js';
import { createTestDatabase } from '../libs/testing/src/test-database.js';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const SERVER_URL = process.env.DATABASE_URL || defaultDatabaseUrl();
const PHASES = (process.env.BENCH_PHASES || 'rebuild,live').split(',').map((p) => p.trim());
const EVENTS = envNumber('BENCH_EVENTS', 240_000);
const CONCURRENT_ARTICLES = envNumber('BENCH_CONCURRENT_ARTICLES', 300);
const MEAN_READERS = envNumber('BENCH_MEAN_READERS', 12);
const SEED = envNumber('BENCH_SEED', 20251127);
const REBUILD_BATCH = envNumber('BENCH_REBUILD_BATCH', 5000);
const REBUILD_ROUNDS = Math.max(1, envNumber('BENCH_REBUILD_ROUNDS', 1));
const RAW_READ_BATCH = 5000;
const RATE = envNumber('BENCH_RATE', 500);
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 10);
const LIVE_SECONDS = envNumber('BENCH_LIVE_SECONDS', 40);
const DRAIN_SECONDS = envNumber('BENCH_DRAIN_SECONDS', 30);
const SAMPLER_MS = envNumber('BENCH_SAMPLER_MS', 10);
const FEED_LIMIT = envNumber('BENCH_FEED_LIMIT', 50);
const LOG_POLL_MS = envNumber('BENCH_LOG_POLL_MS', 5);
const PROBES = envFlag('BENCH_PROBES');
const TOPOLOGY = process.env.BENCH_TOPOLOGY === 'split' ? 'split' : 'single';
const MAX_IN_FLIGHT = envNumber('BENCH_MAX_IN_FLIGHT', 256);
const PROFILE = envFlag('BENCH_PROFILE');
const KEEP_LOGS = envFlag('BENCH_KEEP_LOGS');

const REBUILD_TARGET = 20_000;
/** The issue's smallest log for the rebuild figure. */
const REBUILD_MIN_EVENTS = 200_000;
const LAG_P99_TARGET_MS = 1000;
/** The lag target counts only if the service really took (nearly) the whole write rate. */
const RATE_TOLERANCE = 0.95;

/** Service settings this environment may set for the child process (everything else is the bench's). */
const PASS_THROUGH = [
  'DATABASE_POOL_SIZE',
  'KAFKA_TOPIC_PARTITIONS',
  'KAFKA_REPLICATION_FACTOR',
  'CLOUDEVENTS_SOURCE',
  'RELAY_BATCH_SIZE',
  'RELAY_POLL_MS',
  'PROJECTION_BATCH_SIZE',
  'PROJECTION_POLL_MS',
  'SCHEDULER_INTERVAL_MS',
  'READ_WAIT_TIMEOUT_MS',
  'PUBLIC_CACHE_POLL_MS',
  'BODY_LIMIT_BYTES',
  'UV_THREADPOOL_SIZE',
];

const progress = (line: string) => process.stderr.write(`  · ${line}\n`);

// ---------------------------------------------------------------------------------------------
// Phase 1: rebuild throughput
// ---------------------------------------------------------------------------------------------

interface Rate {
  events: number;
  seconds: number;
  perSecond: number;
}

interface RebuildRow {
  projection: string;
  streamTypes: string;
  result: RebuildResult;
  /** Events in the log / seconds of this rebuild, whatever share of them it reads and applies. */
  logEventsPerSecond: number;
  /** Events in the log of the projection's stream types. */
  eventsOfItsTypes: number;
  check: string;
}

interface RebuildPhase {
  seed: SeedSummary;
  seedSeconds: number;
  tableBytes: number;
  readLog: Rate[];
  selectAll: Rate[];
  rows: RebuildRow[];
  /** Events in the log. */
  logEvents: number;
  /** Every rebuild read the whole log (else each read only its own stream types). */
  readsWholeLog: boolean;
  /** The whole read side, one rebuild after another: events in the log / the sum of their seconds. */
  readSide: Rate;
  cpu: CpuReport;
  checksOk: boolean;
}

const rateOf = (events: number, seconds: number): Rate => ({ events, seconds, perSecond: events / seconds });

async function readWholeLog(store: EventStore): Promise<Rate> {
  const started = now();
  let checkpoint: LogCheckpoint = LOG_START;
  let events = 0;
  for (;;) {
    const batch = await store.readLog(checkpoint, { limit: RAW_READ_BATCH });
    events += batch.length;
    if (batch.length === 0) break;
    const last = batch[batch.length - 1];
    checkpoint = { transactionId: last.transactionId, position: last.position };
    if (batch.length < RAW_READ_BATCH) break;
  }
  return rateOf(events, (now() - started) / 1000);
}

/** `SELECT * FROM events` in one statement, rows streamed and counted (not kept). */
async function selectAll(url: string): Promise<Rate> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = now();
    let events = 0;
    await new Promise<void>((resolve, reject) => {
      const query = client.query(new pg.Query('SELECT * FROM events'));
      query.on('row', () => void events++);
      query.on('end', () => resolve());
      query.on('error', reject);
    });
    return rateOf(events, (now() - started) / 1000);
  } finally {
    await client.end();
  }
}

async function rebuildPhase(cleanup: Cleanup): Promise<RebuildPhase> {
  const database = await createTestDatabase(SERVER_URL, 'bench_projections_rebuild');
  cleanup.add(`drop database ${database.name}`, () => database.drop());
  const dataSource = await new DataSource({ type: 'postgres', url: database.url, migrations: MIGRATIONS, extra: { max: 4 } }).initialize();
  cleanup.add('close the rebuild DataSource', async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
  });
  await runMigrations(dataSource);

  progress(`seeding at least ${fmtInt(EVENTS)} events into ${database.name}`);
  const seedStarted = now();
  let inserted = 0;
  let nextReport = 50_000;
  const seed = await generateLog(
    { targetEvents: EVENTS, concurrentArticles: CONCURRENT_ARTICLES, meanReaders: MEAN_READERS, seed: SEED },
    async (rows) => {
      await insertRows(dataSource, rows);
      inserted += rows.length;
      if (inserted >= nextReport) {
        progress(`  ${fmtInt(inserted)} events`);
        nextReport += 50_000;
      }
    },
  );
  const seedSeconds = (now() - seedStarted) / 1000;
  // As autovacuum would have left a long-lived table: statistics, visibility map, hint bits set.
  await dataSource.query('VACUUM (ANALYZE) events');
  const [{ bytes }] = await dataSource.query(`SELECT pg_total_relation_size('events')::bigint AS bytes`);
  progress(`seeded ${fmtInt(seed.events)} events in ${seedSeconds.toFixed(1)} s; reading and rebuilding`);

  const store = new EventStore(dataSource);
  await readWholeLog(store); // warm the cache, unmeasured
  const readLog: Rate[] = [await readWholeLog(store)];
  const selects: Rate[] = [await selectAll(database.url)];

  const [{ pids }] = await dataSource.query(
    `SELECT coalesce(array_agg(pid), '{}') AS pids FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const databasePids = (pids as number[]).map(Number);
  const cpu = new CpuMeter({
    bench: () => [process.pid],
    'postgres: this database': () => databasePids,
    'postgres: rest (other databases, WAL, ...)': () => pidsNamed('postgres'),
  });
  const rebuilder = new ProjectionRebuilder(dataSource, store, { batchSize: REBUILD_BATCH });
  const results = new Map<string, RebuildResult[]>(PROJECTIONS.map((projection) => [projection.name, []]));
  cpu.start();
  for (let round = 0; round < REBUILD_ROUNDS; round++) {
    for (const projection of PROJECTIONS) {
      const result = await rebuilder.rebuild(projection);
      results.get(projection.name)!.push(result);
      progress(`rebuilt ${projection.name}: read ${fmtInt(result.eventsRead)} events, applied ${fmtInt(result.applied)}, in ${result.seconds.toFixed(2)} s`);
    }
  }
  const cpuReport = cpu.stop();
  readLog.push(await readWholeLog(store));
  selects.push(await selectAll(database.url));

  // What the read models must hold after a rebuild of the whole log.
  const expected = seed.expectations;
  const one = async (sql: string): Promise<number> => Number((await dataSource.query(sql))[0].n);
  const parked = async (name: string) => one(`SELECT count(*) AS n FROM projection_dead_letters WHERE projection = '${name}'`);
  const checks: Record<string, () => Promise<string[]>> = {
    'scheduled-publications': async () => [
      expectEqual('scheduled', await one('SELECT count(*) AS n FROM scheduled_publications'), expected.scheduledPending),
    ],
    'editor-board': async () => [
      expectEqual('rows', await one('SELECT count(*) AS n FROM editor_board'), expected.articles),
      expectEqual('published', await one(`SELECT count(*) AS n FROM editor_board WHERE status = 'published'`), expected.publicStories),
    ],
    'fact-check-queue': async () => [
      expectEqual('articles', await one('SELECT count(*) AS n FROM fact_check_queue_articles'), expected.articles),
      expectEqual('pending claims', await one('SELECT count(*) AS n FROM fact_check_queue'), expected.pendingClaims),
    ],
    'public-feed': async () => [
      expectEqual('rows', await one('SELECT count(*) AS n FROM public_feed'), expected.articles),
      expectEqual('in feed', await one('SELECT count(*) AS n FROM public_feed WHERE listed IS NOT NULL AND retraction IS NULL'), expected.publicStories),
      expectEqual('published, not listed', await one('SELECT count(*) AS n FROM public_feed WHERE published_at IS NOT NULL AND listed IS NULL'), 0),
    ],
    'reaction-counts': async () => [
      expectEqual('reactions', await one('SELECT coalesce(sum("like" + dislike + love + funny + angry + sad + wow), 0) AS n FROM reaction_counts'), expected.currentReactions),
      expectEqual('negative counts', await one('SELECT count(*) AS n FROM reaction_counts WHERE least("like", dislike, love, funny, angry, sad, wow) < 0'), 0),
    ],
  };
  const logEvents = readLog[0].events;
  let checksOk = true;
  const rows: RebuildRow[] = [];
  for (const projection of PROJECTIONS) {
    const runs = results.get(projection.name)!;
    const result = median(runs, (r) => r.eventsRead / r.seconds);
    const [{ n: eventsOfItsTypes }] = await dataSource.query('SELECT count(*)::int AS n FROM events WHERE stream_type = ANY($1)', [projection.streamTypes]);
    // A rebuild reads either the whole log or the events of its stream types, nothing else.
    const readProblems = runs
      .filter((r) => r.eventsRead !== logEvents && r.eventsRead !== eventsOfItsTypes)
      .map((r) => `read ${fmtInt(r.eventsRead)} events, not the log's ${fmtInt(logEvents)} nor its types' ${fmtInt(eventsOfItsTypes)}`);
    const problems = [
      ...((await checks[projection.name]?.()) ?? ['no check']),
      expectEqual('parked', await parked(projection.name), 0),
      ...readProblems,
    ].filter((line) => line !== '');
    if (problems.length) checksOk = false;
    rows.push({
      projection: projection.name,
      streamTypes: projection.streamTypes.join(','),
      result,
      logEventsPerSecond: logEvents / result.seconds,
      eventsOfItsTypes,
      check: problems.length ? [...new Set(problems)].join('; ') : 'ok',
    });
  }
  const readSide = rateOf(logEvents, rows.reduce((n, row) => n + row.result.seconds, 0));

  await dataSource.destroy();
  await database.drop();
  const readsWholeLog = rows.every((row) => row.result.eventsRead === logEvents);
  return { seed, seedSeconds, tableBytes: Number(bytes), readLog, selectAll: selects, rows, logEvents, readsWholeLog, readSide, cpu: cpuReport, checksOk };
}

const expectEqual = (what: string, actual: number, expected: number): string =>
  actual === expected ? '' : `${what} ${fmtInt(actual)} != expected ${fmtInt(expected)}`;

function median<T>(items: T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

// ---------------------------------------------------------------------------------------------
// Phase 2: live lag
// ---------------------------------------------------------------------------------------------

async function livePhase(cleanup: Cleanup, kafkaInfo: { brokers: string; pid?: number; description: string }): Promise<LiveResult> {
  const runId = randomBytes(4).toString('hex');
  const database = await createTestDatabase(SERVER_URL, 'bench_projections_live');
  cleanup.add(`drop database ${database.name}`, () => database.drop());
  const workDir = await mkdtemp(join(os.tmpdir(), 'newsroom-bench-projections-'));
  cleanup.add(`remove ${workDir}`, async () => {
    if (KEEP_LOGS) progress(`service logs kept in ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  });
  // Our own broker goes with everything on it; on a shared cluster, remove what this run made.
  if (process.env.KAFKA_BROKERS) {
    cleanup.add('delete the topics and groups of this run', () => deleteKafkaLeftovers(kafkaInfo.brokers, runId));
  }
  const passThroughEnv = Object.fromEntries(
    PASS_THROUGH.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]!]),
  );
  const liveCleanup = new Cleanup();
  cleanup.add('stop the live phase', () => liveCleanup.run(progress));
  try {
    return await runLive(
      {
        databaseUrl: database.url,
        databaseName: database.name,
        kafkaBrokers: kafkaInfo.brokers,
        kafkaPid: kafkaInfo.pid,
        runId,
        rate: RATE,
        warmupSeconds: WARMUP_SECONDS,
        measureSeconds: LIVE_SECONDS,
        drainSeconds: DRAIN_SECONDS,
        samplerIntervalMs: SAMPLER_MS,
        feedLimit: FEED_LIMIT,
        logPollMs: LOG_POLL_MS,
        probes: PROBES,
        topology: TOPOLOGY,
        profile: PROFILE,
        maxInFlight: MAX_IN_FLIGHT,
        workDir,
        passThroughEnv,
        log: progress,
      },
      liveCleanup,
    );
  } finally {
    await liveCleanup.run(progress);
    await database.drop();
  }
}

async function deleteKafkaLeftovers(brokers: string, runId: string): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`bench-${runId}.`));
    if (topics.length) await admin.deleteTopics({ topics });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`bench-${runId}.`));
    if (groups.length) await admin.deleteGroups(groups);
  } finally {
    await admin.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const perSecond = (n: number) => `${fmtInt(n)}/s`;
const msOrMore = (ms: number, drainSeconds: number) => (ms === Infinity ? `>${fmtInt(drainSeconds * 1000)}` : fmtMs(ms));
const cores = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

function cpuLine(report: CpuReport, machineCores: number): string {
  const parts = Object.entries(report.cores).map(([group, used]) => `${group} ${cores(used)}`);
  parts.push(`other processes ${cores(report.otherCores)}`);
  return `${parts.join(', ')}; machine busy ${cores(report.machineCores)} of ${machineCores} cores`;
}

function rebuildReport(phase: RebuildPhase, lines: string[]): void {
  const { seed } = phase;
  const e = seed.expectations;
  const bestReadLog = phase.readLog.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const bestSelect = phase.selectAll.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  lines.push('1. Rebuild throughput');
  lines.push('---------------------');
  lines.push(
    `Log        ${fmtInt(seed.events)} events: ${fmtInt(seed.articleEvents)} article events (${fmtInt(e.articles)} articles, ` +
      `${fmtInt(e.published)} published, ${fmtInt(e.retracted)} retracted), ${fmtInt(seed.reactionEvents)} reaction events ` +
      `(${fmtInt(e.reactionStreams)} reader streams); event data ${(seed.dataBytes / seed.events / 1024).toFixed(2)} KB/event on average; ` +
      `table + indexes ${(phase.tableBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  const types = [...seed.byType].sort((a, b) => b[1] - a[1]).map(([type, n]) => `${type} ${fmtInt(n)}`);
  lines.push(`Types      ${types.join(', ')}`);
  lines.push(
    `Seeding    ${phase.seedSeconds.toFixed(1)} s (${perSecond(seed.events / phase.seedSeconds)}): events decided by the service's deciders, ` +
      `${CONCURRENT_ARTICLES} articles in progress at a time, bulk INSERTs of appendToStream's rows in log order (2,000 per statement), then VACUUM ANALYZE`,
  );
  lines.push(
    `Settings   ProjectionRebuilder batch ${fmtInt(REBUILD_BATCH)} (as the admin rebuild), TypeORM pool 4, ` +
      `${REBUILD_ROUNDS} round(s)${REBUILD_ROUNDS > 1 ? ' (median per projection)' : ''}; ` +
      (phase.readsWholeLog ? 'each rebuild reads the whole log (all stream types)' : 'each rebuild reads only the events of its own stream types'),
  );
  lines.push('');
  lines.push('Reference: raw read of the same log (best of 2: before and after the rebuilds)');
  lines.push(
    renderTable(
      ['read', 'events', 'seconds', 'events/s', 'runs (events/s)'],
      [
        ['EventStore.readLog, batches of 5,000', fmtInt(bestReadLog.events), bestReadLog.seconds.toFixed(2), fmtInt(bestReadLog.perSecond), phase.readLog.map((r) => fmtInt(r.perSecond)).join(' / ')],
        ['SELECT * FROM events (pg, one statement)', fmtInt(bestSelect.events), bestSelect.seconds.toFixed(2), fmtInt(bestSelect.perSecond), phase.selectAll.map((r) => fmtInt(r.perSecond)).join(' / ')],
      ],
    ),
  );
  lines.push('');
  lines.push('ProjectionRebuilder.rebuild(), one projection after the other');
  const readSide = phase.readSide;
  const applied = phase.rows.reduce((n, r) => n + r.result.applied, 0);
  lines.push(
    renderTable(
      ['projection', 'stream types', 'events read', 'applied', 'seconds', 'log events/s', 'applied/s', 'vs readLog', 'vs SELECT', 'read model check'],
      [
        ...phase.rows.map((row) => [
          row.projection,
          row.streamTypes,
          fmtInt(row.result.eventsRead),
          fmtInt(row.result.applied),
          row.result.seconds.toFixed(2),
          fmtInt(row.logEventsPerSecond),
          fmtInt(row.result.applied / row.result.seconds),
          fmtRatio(row.logEventsPerSecond / bestReadLog.perSecond),
          fmtRatio(row.logEventsPerSecond / bestSelect.perSecond),
          row.check,
        ]),
        [
          `whole read side (${phase.rows.length} rebuilds)`,
          '',
          fmtInt(phase.rows.reduce((n, r) => n + r.result.eventsRead, 0)),
          fmtInt(applied),
          readSide.seconds.toFixed(2),
          fmtInt(readSide.perSecond),
          fmtInt(applied / readSide.seconds),
          fmtRatio(readSide.perSecond / bestReadLog.perSecond),
          fmtRatio(readSide.perSecond / bestSelect.perSecond),
          phase.checksOk ? 'all ok' : 'FAILED',
        ],
      ],
    ),
  );
  lines.push(
    `  log events/s = the ${fmtInt(phase.logEvents)} events in the log / seconds, whatever share of them the rebuild reads (${
      phase.readsWholeLog ? 'all: it skips the other stream types as it applies' : 'its stream types only: the rest is filtered out in SQL'
    }) or applies`,
  );
  lines.push(
    `  whole read side = the ${fmtInt(phase.logEvents)} events in the log, each counted once / the sum of the rebuilds' seconds`,
  );
  lines.push(`CPU during the rebuilds (cores): ${cpuLine(phase.cpu, os.cpus().length)}`);
}

function stageRows(stages: StageSummary[], drainSeconds: number): string[][] {
  return stages.map((stage) => [
    stage.name,
    fmtInt(stage.summary.count - stage.missing),
    msOrMore(stage.summary.p50, drainSeconds),
    msOrMore(stage.summary.p90, drainSeconds),
    msOrMore(stage.summary.p99, drainSeconds),
    msOrMore(stage.summary.max, drainSeconds),
    fmtInt(stage.missing),
  ]);
}

function liveReport(live: LiveResult, lines: string[]): void {
  const c = live.config;
  lines.push('2. Live lag: publish answer -> story visible in GET /feed');
  lines.push('--------------------------------------------------------');
  lines.push(
    `Service    node dist/src/main.js ${live.topology === 'split' ? '(API) + node dist/src/worker.js (relay, projections, scheduler)' : '--with-workers (API + relay + projections + scheduler in one process)'}, ` +
      `NODE_ENV=production, LOG_LEVEL=warn`,
  );
  lines.push(
    `Settings   DATABASE_POOL_SIZE ${c.database.poolSize}, KAFKA_TOPIC_PARTITIONS ${c.kafka?.partitions}, RELAY_BATCH_SIZE ${c.relay.batchSize}, ` +
      `RELAY_POLL_MS ${c.relay.pollMs}, PROJECTION_BATCH_SIZE ${c.projections.batchSize} (log-fed only), ` +
      `PUBLIC_CACHE_POLL_MS ${(c as { publicCachePollMs?: number }).publicCachePollMs ?? 'n/a'} (public reads cached until the projections move), ` +
      `${PROJECTIONS.length} projections as Kafka consumer groups`,
  );
  lines.push(
    `Load       ${RATE} writes/s on a fixed schedule (follow-up steps first, else a new story): draft (POST /articles, ~2-7 KB body), submit, ` +
      `approve, publish = ${fmtInt(RATE / 4)} stories/s; ${WARMUP_SECONDS} s warm-up, ${LIVE_SECONDS} s measured, load kept on while the measured stories drain`,
  );
  lines.push(
    `Sampler    GET /feed?limit=${FEED_LIMIT} every ${SAMPLER_MS} ms (first-seen = answer arrival; follows nextCursor while a whole page is new to it, as a syncing client does): ` +
      `${fmtInt(live.sampler.pollsPerSecond)} polls/s, poll p50 ${fmtMs(live.sampler.pollMs.p50)} ms / p99 ${fmtMs(live.sampler.pollMs.p99)} ms / max ${fmtMs(live.sampler.pollMs.max)} ms, ` +
      `${fmtInt(live.sampler.extraPages)} extra pages, ${fmtInt(live.sampler.errors)} errors`,
  );
  lines.push(
    PROBES
      ? 'Probes     on (BENCH_PROBES=1): a Kafka consumer and a public_feed SQL poller split the lag into stages; they load the machine the service shares'
      : 'Probes     off (BENCH_PROBES=1 adds a Kafka consumer and a public_feed SQL poller that split the lag into stages)',
  );
  lines.push('');
  const errorCount = Object.values(live.writeErrors).reduce((a, b) => a + b, 0);
  lines.push(
    `Writes     achieved ${live.achievedRate.toFixed(1)} writes/s ok (target ${RATE}), ${fmtInt(live.writesOk)} ok of ${fmtInt(live.writesAnswered)} answered in ${live.measuredSeconds.toFixed(1)} s, ` +
      `${fmtInt(errorCount)} errors${errorCount ? ` (${Object.entries(live.writeErrors).map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}; ` +
      `max ${live.maxInFlightSeen} in flight (cap ${MAX_IN_FLIGHT}); send delay behind schedule p99 ${fmtMs(live.scheduleDelay.p99)} ms, max ${fmtMs(live.scheduleDelay.max)} ms; ` +
      `${fmtInt(live.skippedSlots)} slots dropped (over 1 s behind: the service could not take the rate)`,
  );
  if (live.errorSamples.length) lines.push(`           e.g. ${live.errorSamples.join(' | ')}`);
  const latencyRow = (name: string, s: LatencySummary) => [name, fmtInt(s.count), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p99), fmtMs(s.max)];
  lines.push(
    renderTable(
      ['write latency (ms)', 'count', 'p50', 'p90', 'p99', 'max'],
      [
        latencyRow('POST /articles (draft)', live.writeLatency.draft),
        latencyRow('POST /articles/:id/submit', live.writeLatency.submit),
        latencyRow('POST /articles/:id/approve', live.writeLatency.approve),
        latencyRow('POST /articles/:id/publish', live.writeLatency.publish),
        latencyRow('all writes', live.writeLatency.all),
      ],
    ),
  );
  lines.push('');
  lines.push(`Stories    ${fmtInt(live.stories)} published in the measured window (publish answered in it); drain took ${live.drainedInSeconds.toFixed(1)} s`);
  lines.push(
    renderTable(
      ['from the publish answer to ... (ms)', 'seen', 'p50', 'p90', 'p99', 'max', 'missing'],
      stageRows([...live.stages, live.feedLag], DRAIN_SECONDS),
    ),
  );
  const floor = live.stages[0].summary;
  lines.push(
    `Ratio      /feed lag over the store-log floor: p50 ${fmtRatio(live.feedLag.summary.p50 / Math.max(1, floor.p50))} (+${fmtMs(live.feedLag.summary.p50 - floor.p50)} ms), ` +
      `p99 ${fmtRatio(live.feedLag.summary.p99 / Math.max(1, floor.p99))} (+${fmtMs(live.feedLag.summary.p99 - floor.p99)} ms) (floor values under 1 ms count as 1 ms)`,
  );
  if (live.increments.length) {
    lines.push('');
    lines.push('Where the lag goes: per-story time between consecutive stages (stories seen at both)');
    lines.push(renderTable(['stage (ms)', 'stories', 'p50', 'p90', 'p99', 'max', 'not seen'], stageRows(live.increments, DRAIN_SECONDS)));
  }
  if (live.backlog.length) {
    lines.push('');
    lines.push('Backlog behind the head of the log, sampled once a second in the measured window (events)');
    lines.push(renderTable(['stage', 'p50', 'p99', 'max'], live.backlog.map((b) => [b.name, fmtInt(b.p50), fmtInt(b.p99), fmtInt(b.max)])));
  }
  lines.push(`CPU in the measured window (cores): ${cpuLine(live.cpu, os.cpus().length)}`);
  const serviceCores = Object.entries(live.cpu.cores).filter(([group]) => group.startsWith('service')).reduce((n, [, used]) => n + used, 0);
  const postgresCores = live.cpu.cores['postgres: service connections'] ?? NaN;
  lines.push(
    `           per write (each carries its relay, projections and the sampler's share): service ${((serviceCores * 1000) / live.achievedRate).toFixed(2)} ms CPU, ` +
      `its PostgreSQL connections ${((postgresCores * 1000) / live.achievedRate).toFixed(2)} ms CPU; ` +
      `the sampler alone costs about ${((live.sampler.pollsPerSecond * live.feedAtRest.serviceCpuMsPerRequest) / 1000).toFixed(2)} cores of service CPU (${fmtInt(live.sampler.pollsPerSecond)} polls/s x ${live.feedAtRest.serviceCpuMsPerRequest.toFixed(1)} ms)`,
  );
  const a = live.activity;
  lines.push(
    `PostgreSQL pg_stat_activity every 250 ms (${fmtInt(a.samples)} samples): service connections busy p50 ${fmtInt(a.busy.p50)} / p99 ${fmtInt(a.busy.p99)} / max ${fmtInt(a.busy.max)} ` +
      `(pool ${c.database.poolSize}; on average ${a.meanActive.toFixed(1)} active + ${a.meanIdleInTransaction.toFixed(1)} idle in transaction, i.e. waiting on the service); ` +
      `active backends: ${a.waits.slice(0, 5).map((w) => `${w.wait} ${Math.round(w.share * 100)}%`).join(', ') || 'none seen'}`,
  );
  lines.push(
    `           service transactions holding an xid (each holds back the commit-safe log until it ends): p50 ${fmtInt(a.xidHolders.p50)} / max ${fmtInt(a.xidHolders.max)}, ` +
      `oldest p50 ${fmtMs(a.xidOldestMs.p50)} ms / p99 ${fmtMs(a.xidOldestMs.p99)} ms`,
  );
  {
    const b = live.batches;
    const articleProjections = PROJECTIONS.filter((p) => p.streamTypes.includes('article')).length;
    lines.push(
      `Batches    ${fmtInt(b.eventsPerSecond)} events/s appended; relay ${fmtInt(b.relayBatchesPerSecond)} batches/s (${(b.eventsPerSecond / b.relayBatchesPerSecond).toFixed(1)} events each); ` +
        `projections ${fmtInt(b.projectionBatchesPerSecond)} batches/s, one transaction each (${((b.eventsPerSecond * articleProjections) / b.projectionBatchesPerSecond).toFixed(1)} events each, ` +
        `${articleProjections} projections read article events) (pg_stat_user_tables)`,
    );
  }
  if (live.serviceSide) {
    const side = live.serviceSide;
    lines.push(
      `Service   (its GET /metrics over the window) event-loop delay of the ${live.topology === 'split' ? 'API process' : 'process'} (interval of a 10 ms timer, 10 = no delay): mean ${fmtMs(side.eventLoopMs.mean)} / p50 ${fmtMs(side.eventLoopMs.p50)} / ` +
        `p99 ${fmtMs(side.eventLoopMs.p99)} / max ${fmtMs(side.eventLoopMs.max)} ms; mean time inside Fastify per write ${fmtMs(side.meanWriteMs)} ms ` +
        `(client-side mean ${fmtMs(live.writeLatency.all.mean)} ms), per GET /feed ${fmtMs(side.meanFeedMs)} ms`,
    );
  }
  lines.push(
    `Feed cost  GET /feed?limit=${FEED_LIMIT} after the run, no load, one at a time: p50 ${fmtMs(live.feedAtRest.latency.p50)} ms / p99 ${fmtMs(live.feedAtRest.latency.p99)} ms, ` +
      `${live.feedAtRest.serviceCpuMsPerRequest.toFixed(1)} ms of service CPU per request`,
  );
  lines.push(
    `Other databases on the server: transactions open p50 ${fmtInt(a.otherOpen.p50)} / max ${fmtInt(a.otherOpen.max)}, oldest p50 ${fmtMs(a.otherOldestMs.p50)} ms / max ${fmtMs(a.otherOldestMs.max)} ms ` +
      `(any open transaction on the server holds back the commit-safe log: the floor, the relay)`,
  );
  for (const { name, summary } of live.profiles) {
    lines.push('');
    lines.push(
      `CPU profile of the ${name} process over the window (BENCH_PROFILE=1): busy ${fmtInt(summary.busyMs)} ms of ${fmtInt(summary.wallMs)} ms ` +
        `(${Math.round((summary.busyMs / summary.wallMs) * 100)}% of its main thread; not idle = always had work waiting); ` +
        `builtins and Node internals (crypto, socket writes, Buffer) charged to the library that called them`,
    );
    lines.push(
      renderTable(
        ['where the main thread went', 'ms', 'share of busy'],
        summary.byCategory.slice(0, 14).map((c) => [c.name, fmtInt(c.ms), `${Math.round((c.ms / summary.busyMs) * 100)}%`]),
      ),
    );
    lines.push(renderTable(['hottest functions (self time)', 'ms'], summary.topFunctions.map((f) => [f.name.slice(0, 110), fmtInt(f.ms)])));
  }
  if (live.observerErrors.length) lines.push(`Observer errors: ${live.observerErrors.join(' | ')}`);
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\n${signal}: cleaning up\n`);
      void cleanup.run(progress).finally(() => process.exit(130));
    });
  }

  const lines: string[] = [];
  const failures: string[] = [];
  let rebuild: RebuildPhase | undefined;
  let live: LiveResult | undefined;
  let kafkaDescription = 'not used';
  const [{ server_version: version }] = await runOnServer<{ server_version: string }>(SERVER_URL, 'SHOW server_version');
  const pgSettings = await runOnServer<{ name: string; setting: string; unit: string | null }>(
    SERVER_URL,
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'max_connections', 'wal_level', 'fsync')`,
  );
  const loadBefore = loadAverage();
  const others = await busiestProcesses(new Set([process.pid]));

  try {
    if (PHASES.includes('rebuild')) {
      progress('phase 1: rebuild throughput');
      try {
        rebuild = await rebuildPhase(cleanup);
      } catch (error) {
        failures.push(`rebuild phase failed: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
    if (PHASES.includes('live') && !interrupted) {
      progress('phase 2: live lag');
      try {
        let brokers = process.env.KAFKA_BROKERS;
        let pid: number | undefined;
        const libDir = await ensureKafkaJars();
        const jar = (await readdir(libDir)).find((file) => /^kafka_[\d.]+-[\d.]+\.jar$/.test(file));
        const jarVersion = jar?.replace(/^kafka_[\d.]+-/, '').replace(/\.jar$/, '') ?? 'unknown';
        if (!brokers) {
          progress('starting a Kafka broker (KRaft, single node)');
          const broker = await KafkaBroker.start();
          cleanup.add('stop the Kafka broker', () => broker.destroy());
          brokers = broker.brokers;
          pid = broker.pid;
          kafkaDescription = `Apache Kafka ${jarVersion}, one broker+controller (KRaft) started by the bench on ${brokers} (JVM -Xmx512m, serial GC, C1)`;
        } else {
          kafkaDescription = `external KAFKA_BROKERS=${brokers} (version not probed; the project's broker jars are ${jarVersion})`;
        }
        live = await livePhase(cleanup, { brokers, pid, description: kafkaDescription });
      } catch (error) {
        failures.push(`live phase failed: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
  } finally {
    await cleanup.run(progress);
  }

  const settings = Object.fromEntries(pgSettings.map((s) => [s.name, s.unit === '8kB' ? `${(Number(s.setting) * 8) / 1024} MB` : s.setting]));
  lines.push('');
  lines.push('Newsroom projections benchmark (npm run bench:projections)');
  lines.push('==========================================================');
  lines.push(`Machine    ${machineDescription()}`);
  lines.push(
    `PostgreSQL ${version} at ${new URL(SERVER_URL).host} (shared_buffers ${settings.shared_buffers}, synchronous_commit ${settings.synchronous_commit}, fsync ${settings.fsync}), same machine`,
  );
  lines.push(`Kafka      ${kafkaDescription}`);
  lines.push(
    `Load       load average at start ${loadBefore}; busiest other processes then: ${
      others.length ? others.map((p) => `${p.name.split(' ').slice(0, 3).join(' ')} (${cores(p.cores)} cores)`).join(', ') : 'none'
    }`,
  );
  lines.push('');
  if (rebuild) {
    rebuildReport(rebuild, lines);
    lines.push('');
  }
  if (live) {
    liveReport(live, lines);
    lines.push('');
  }
  for (const failure of failures) lines.push(`!! ${failure}`, '');

  lines.push('Targets');
  lines.push('-------');
  if (rebuild) {
    /*
     * A rebuild is of one projection (POST /admin/projections/:name/rebuild), and what its rate tells
     * an operator is how fast it gets through a log of so many events: the target is judged on the
     * slowest projection's log events/s. Stricter figures are printed beside it: that projection's
     * applied/s (only the events of its stream types) and the whole read side rebuilt one projection
     * after another.
     */
    const slowest = rebuild.rows.reduce((a, b) => (b.logEventsPerSecond < a.logEventsPerSecond ? b : a));
    const ok = slowest.logEventsPerSecond >= REBUILD_TARGET && rebuild.logEvents >= REBUILD_MIN_EVENTS && rebuild.checksOk;
    lines.push(
      `  rebuild >= ${fmtInt(REBUILD_TARGET)} events/s over >= ${fmtInt(REBUILD_MIN_EVENTS)} events (slowest projection, log events/s, read models correct): ` +
        `${slowest.projection} ${fmtInt(slowest.logEventsPerSecond)} log events/s over ${fmtInt(rebuild.logEvents)} events` +
        `${rebuild.checksOk ? '' : ', read model checks FAILED'}  ${passFail(ok)}`,
    );
    lines.push(
      `  (info) ${slowest.projection} applied ${fmtInt(slowest.result.applied / slowest.result.seconds)} of its events/s; the whole read side, ` +
        `${rebuild.rows.length} rebuilds one after another: ${fmtInt(rebuild.readSide.perSecond)} log events/s (${rebuild.readSide.seconds.toFixed(1)} s)`,
    );
  } else if (PHASES.includes('rebuild')) {
    lines.push(`  rebuild >= ${fmtInt(REBUILD_TARGET)} events/s: not measured  FAIL`);
  }
  if (live) {
    const p99 = live.feedLag.summary.p99;
    const rateOk = live.achievedRate >= RATE * RATE_TOLERANCE;
    const ok = p99 < LAG_P99_TARGET_MS && rateOk && live.feedLag.missing === 0 && live.stories > 0;
    lines.push(
      `  /feed lag p99 < ${fmtInt(LAG_P99_TARGET_MS)} ms at ${RATE} writes/s (achieved >= ${Math.round(RATE * RATE_TOLERANCE)}/s, every story seen): ` +
        `p99 ${msOrMore(p99, DRAIN_SECONDS)} ms (p50 ${msOrMore(live.feedLag.summary.p50, DRAIN_SECONDS)} ms) at ${live.achievedRate.toFixed(1)} writes/s, ` +
        `${fmtInt(live.feedLag.missing)} of ${fmtInt(live.stories)} stories not seen  ${passFail(ok)}`,
    );
  } else if (PHASES.includes('live')) {
    lines.push(`  /feed lag p99 < ${fmtInt(LAG_P99_TARGET_MS)} ms at ${RATE} writes/s: not measured  FAIL`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  })
  .finally(() => process.exit(0));
