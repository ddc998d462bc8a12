/**
 * npm run bench:store
 *
 * Event store benchmark, run side by side in one process against one PostgreSQL server
 * (a fresh database is created for the run and dropped afterwards):
 *   1. appends (one event per append, one stream per writer, concurrency 1/8/32) for
 *      - ours: EventStore over a TypeORM DataSource, as the service uses it, so with its
 *        AppendCombiner: appends that arrive together go out as one INSERT in one transaction
 *        (one WAL flush), each row still its own append with its own expected-version check and
 *        its own result;
 *      - Emmett (emmett-postgresql getPostgreSQLEventStore): one transaction per append;
 *      - plain: one pg INSERT per transaction into a copy of our `events` table (same columns,
 *        constraints, indexes; no version check), the physical floor of one append per
 *        transaction. Ours can beat it, since its concurrent appends share transactions;
 *   2. the global log read while 8 writers append (every third transaction held open a few ms so
 *      commits land out of position order), counting lost and duplicated events, then a pure
 *      catch-up read of the whole log, for ours (readLog) and Emmett (readMessagesBatch and its
 *      consumer/reactor API); then ours again from the start of that log while the 8 writers
 *      append (the target: >= 100,000 events/s until it reaches the head, 0 lost, 0 duplicated);
 *   3. a report with the targets and PASS/FAIL (exit code 0 either way: a report, not a test).
 *
 * Settings (env, defaults in brackets):
 *   DATABASE_URL [postgres://postgres@127.0.0.1:5432/test]  server to create the scratch database on
 *   BENCH_SECONDS [12]  measured seconds per append case, split into BENCH_SLICES [6] slices
 *                       interleaved with the other systems' (median slice rate reported)
 *   BENCH_WARMUP_SECONDS [1]  unmeasured warm-up at the start of every slice
 *   BENCH_CONCURRENCY [1,8,32]                              BENCH_PHASES [append,read]
 *   BENCH_READ_SECONDS [10]  writing time of the follow tests
 *   BENCH_READ_WRITERS [8]  BENCH_READ_BATCH [1000]  BENCH_POLL_MS [5]  reader idle poll
 *   BENCH_CATCHUP_EVENTS [200000]  size of the log read back by the catch-up test
 *   BENCH_CONSUMER_CAP_SECONDS [30]  time cap for Emmett's consumer catch-up
 *   BENCH_DRAIN_TIMEOUT_SECONDS [60]
 * Experiments (clearly labelled EXP in the output; the default run measures the real EventStore only):
 *   BENCH_EXPERIMENTS=1  adds two append variants on raw pg with named prepared statements, one
 *                        transaction per append (a one-row INSERT..SELECT with the version check,
 *                        and the plain INSERT), and two readLog variants (its SQL on raw pg with
 *                        stock parsers, and with jsonb/timestamptz left as text)
 *   BENCH_SYNCHRONOUS_COMMIT=off  append cases without the WAL flush at commit (CPU cost only)
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { dumbo } from '@event-driven-io/dumbo';
import { projections, type Event as EmmettEvent } from '@event-driven-io/emmett';
import {
  getPostgreSQLEventStore,
  readMessagesBatch,
  type PostgresEventStore,
  type PostgresEventStoreOptions,
} from '@event-driven-io/emmett-postgresql';
import {
  EVENT_STORE_MIGRATIONS,
  EventStore,
  LOG_START,
  type EventMetadata,
  type LogCheckpoint,
} from '#libs/event-store';
import {
  LatencyRecorder,
  envFlag,
  envList,
  envNumber,
  fmtInt,
  fmtMs,
  fmtPct,
  fmtRatio,
  now,
  passFail,
  pgStockTypes,
  renderTable,
  runOnServer,
  sleep,
  type LatencySummary,
} from './bench-utils.js';
import { createTestDatabase, type TestDatabase } from '../libs/testing/src/test-database.js';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const SERVER_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SECONDS = envNumber('BENCH_SECONDS', 12);
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 1);
const CONCURRENCY = envList('BENCH_CONCURRENCY', [1, 8, 32]);
const READ_SECONDS = envNumber('BENCH_READ_SECONDS', 10);
const READ_WRITERS = envNumber('BENCH_READ_WRITERS', 8);
const READ_BATCH = envNumber('BENCH_READ_BATCH', 1000);
const CATCHUP_EVENTS = envNumber('BENCH_CATCHUP_EVENTS', 200_000);
const POLL_MS = envNumber('BENCH_POLL_MS', 5);
const CONSUMER_CAP_SECONDS = envNumber('BENCH_CONSUMER_CAP_SECONDS', 30);
const DRAIN_TIMEOUT_SECONDS = envNumber('BENCH_DRAIN_TIMEOUT_SECONDS', 60);
const EXPERIMENTS = envFlag('BENCH_EXPERIMENTS');
const SLICES = Math.max(1, Math.round(envNumber('BENCH_SLICES', 6)));
const SLICE_SECONDS = SECONDS / SLICES;
/** Experimental: 'off' takes the WAL flush out of the commit to compare CPU cost alone. */
const SYNCHRONOUS_COMMIT = process.env.BENCH_SYNCHRONOUS_COMMIT ?? '';
const PHASES = new Set((process.env.BENCH_PHASES || 'append,read').split(',').map((p) => p.trim()));

const TARGET_VS_EMMETT = 3;
const TARGET_VS_PLAIN = 0.75;
const TARGET_READ_RATE = 100_000;
const TARGET_LEVELS = [8, 32];

// ---------------------------------------------------------------------------------------------
// The event: a realistic article event, same for every system
// ---------------------------------------------------------------------------------------------

const EVENT_TYPE = 'ArticleDrafted';
const ARTICLE_DATA = {
  articleId: '0197a4c2-5e1b-7c3d-9f20-6b8e41d2a7c5',
  headline: 'City council approves 2026 budget after marathon session over transit cuts',
  standfirst: 'Councillors voted 7-4 to keep night buses but raise parking fees in the centre.',
  body:
    'The city council approved a 1.2 billion budget late on Tuesday after an eleven-hour debate. ' +
    'Night bus routes survive; parking fees in zone A rise by 15 percent from March.',
  section: 'local-politics',
  tags: ['budget', 'city-council', 'transit', 'parking'],
  byline: [{ id: 'u-4b1f9e', name: 'Alice Chen' }],
  language: 'en',
  wordCount: 842,
};
const METADATA: EventMetadata = {
  actor: { sub: 'u-4b1f9e', name: 'Alice Chen', roles: ['reporter', 'editor'] },
  correlationId: '0197a4c2-5e1a-7000-8a11-2f3c4d5e6f70',
  causationId: '0197a4c2-5e1a-7000-8a11-2f3c4d5e6f71',
};
const OUR_EVENT = { type: EVENT_TYPE, data: ARTICLE_DATA };

type ArticleData = typeof ARTICLE_DATA;
type BenchMetadata = { actor: { sub: string; name: string; roles: string[] }; correlationId?: string; causationId?: string };
type ArticleDrafted = EmmettEvent<typeof EVENT_TYPE, ArticleData, BenchMetadata>;
const EMMETT_EVENT: ArticleDrafted = { type: EVENT_TYPE, data: ARTICLE_DATA, metadata: METADATA as BenchMetadata };

const STREAM_TYPE = 'article';

// ---------------------------------------------------------------------------------------------
// Systems under test (appends)
// ---------------------------------------------------------------------------------------------

interface AppendTarget {
  append(streamId: string, expectedVersion: number): Promise<unknown>;
  close(): Promise<void>;
}

interface AppendSystem {
  key: string;
  label: string;
  experimental?: boolean;
  open(url: string, poolSize: number): Promise<AppendTarget>;
}

const PLAIN_INSERT_SQL = `INSERT INTO events_plain (event_id, stream_id, stream_type, stream_version, type, data, metadata)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)
  RETURNING position, transaction_id::text AS transaction_id_text, stream_version, recorded_at`;

// Experimental only: a one-row variant of the append statement.
const ONE_EVENT_APPEND_SQL = `INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
  SELECT $1, $2, $3, $4::int + 1, $5, $6::jsonb, $7::jsonb
   WHERE $4::int = 0 OR EXISTS (SELECT 1 FROM events WHERE stream_id = $2 AND stream_version = $4::int)
  RETURNING position, transaction_id::text AS transaction_id_text, stream_version, recorded_at`;

const newOurDataSource = (url: string, poolSize: number) =>
  new DataSource({
    type: 'postgres',
    url,
    poolSize,
    // The parsers the service runs with (Emmett's driver swaps pg's global ones, see bench-utils).
    extra: { types: pgStockTypes },
    migrations: EVENT_STORE_MIGRATIONS,
  });

const newPlainPool = (url: string, max: number) => new pg.Pool({ connectionString: url, max, types: pgStockTypes });

const ours: AppendSystem = {
  key: 'ours',
  label: 'ours: EventStore (combining)',
  async open(url, poolSize) {
    const dataSource = newOurDataSource(url, poolSize);
    await dataSource.initialize();
    const store = new EventStore(dataSource);
    return {
      append: (streamId, expectedVersion) =>
        store.appendToStream(streamId, [OUR_EVENT], { streamType: STREAM_TYPE, expectedVersion, metadata: METADATA }),
      close: () => dataSource.destroy(),
    };
  },
};

const emmett: AppendSystem = {
  key: 'emmett',
  label: 'Emmett 0.42 (emmett-postgresql)',
  async open(url, poolSize) {
    const { store, close } = await openEmmett(url, poolSize);
    return {
      append: (streamId, expectedVersion) =>
        store.appendToStream<ArticleDrafted>(streamId, [EMMETT_EVENT], { expectedStreamVersion: BigInt(expectedVersion) }),
      close,
    };
  },
};

const plain: AppendSystem = {
  key: 'plain',
  label: 'plain pg INSERT, 1 per tx',
  async open(url, poolSize) {
    const pool = newPlainPool(url, poolSize);
    return {
      append: (streamId, expectedVersion) =>
        pool.query(PLAIN_INSERT_SQL, [
          uuidv7(),
          streamId,
          STREAM_TYPE,
          expectedVersion + 1,
          EVENT_TYPE,
          JSON.stringify(ARTICLE_DATA),
          JSON.stringify(METADATA),
        ]),
      close: () => pool.end(),
    };
  },
};

const experiments: AppendSystem[] = [
  {
    key: 'exp-one-row-prepared',
    label: 'EXP 1-row INSERT..SELECT WHERE EXISTS, prepared',
    experimental: true,
    async open(url, poolSize) {
      const pool = newPlainPool(url, poolSize);
      return {
        append: (streamId, expectedVersion) =>
          pool.query({
            name: 'bench_one_row_append',
            text: ONE_EVENT_APPEND_SQL,
            values: [
              uuidv7(),
              streamId,
              STREAM_TYPE,
              expectedVersion,
              EVENT_TYPE,
              JSON.stringify(ARTICLE_DATA),
              JSON.stringify(METADATA),
            ],
          }),
        close: () => pool.end(),
      };
    },
  },
  {
    key: 'exp-plain-prepared',
    label: 'EXP plain INSERT, named prepared stmt',
    experimental: true,
    async open(url, poolSize) {
      const pool = newPlainPool(url, poolSize);
      return {
        append: (streamId, expectedVersion) =>
          pool.query({
            name: 'bench_plain_insert',
            text: PLAIN_INSERT_SQL,
            values: [
              uuidv7(),
              streamId,
              STREAM_TYPE,
              expectedVersion + 1,
              EVENT_TYPE,
              JSON.stringify(ARTICLE_DATA),
              JSON.stringify(METADATA),
            ],
          }),
        close: () => pool.end(),
      };
    },
  },
];

async function openEmmett(
  url: string,
  poolSize: number,
  options: Omit<PostgresEventStoreOptions, 'connectionOptions'> = {},
): Promise<{ store: PostgresEventStore; pool: pg.Pool; close: () => Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const store = getPostgreSQLEventStore(url, { ...options, connectionOptions: { connectionString: url, pool } });
  await store.schema.migrate(); // schema (and its migration check) done before any timing
  return {
    store,
    pool,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Append benchmark
// ---------------------------------------------------------------------------------------------

interface CpuSample {
  /** Per backend pid with the case's application_name: [CPU ns, runnable-but-waiting ns], from /proc/<pid>/schedstat. */
  backends: Map<number, [number, number]>;
  /** CPU time of this Node process (µs), process.cpuUsage(). */
  nodeCpuUs: number;
}

/** Reads CPU counters of every backend with this application_name (null if /proc is not ours to read). */
async function sampleCpu(admin: pg.Client, applicationName: string): Promise<CpuSample | null> {
  const nodeCpu = process.cpuUsage();
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
    applicationName,
  ]);
  const backends = new Map<number, [number, number]>();
  for (const { pid } of rows) {
    try {
      const [onCpu, waiting] = (await readFile(`/proc/${pid}/schedstat`, 'utf8')).trim().split(/\s+/).map(Number);
      backends.set(pid, [onCpu, waiting]);
    } catch {
      return null; // server on another host, or /proc not readable
    }
  }
  return { backends, nodeCpuUs: nodeCpu.user + nodeCpu.system };
}

/** CPU between two samples: backends that appeared in between count from zero. */
function cpuDelta(before: CpuSample, after: CpuSample): { pgCpuUs: number; pgWaitUs: number; nodeCpuUs: number } | null {
  if (after.backends.size === 0) return null;
  let pgCpuNs = 0;
  let pgWaitNs = 0;
  for (const [pid, [cpu, wait]] of after.backends) {
    const [cpu0, wait0] = before.backends.get(pid) ?? [0, 0];
    pgCpuNs += cpu - cpu0;
    pgWaitNs += wait - wait0;
  }
  return { pgCpuUs: pgCpuNs / 1000, pgWaitUs: pgWaitNs / 1000, nodeCpuUs: after.nodeCpuUs - before.nodeCpuUs };
}

interface AppendRun {
  appends: number;
  seconds: number;
  rate: number;
  latency: LatencyRecorder;
  errors: number;
  firstError?: string;
  /** CPU used per append over the measured window, when the server's /proc is readable. */
  cpu?: { pgUs: number; nodeUs: number; pgWaitUs: number };
  /** 1-minute load average of the machine right after the slice (other work on the box shows here). */
  load: number;
}

interface AppendCaseResult {
  system: AppendSystem;
  concurrency: number;
  runs: AppendRun[];
  /** Median of the slices' rates. */
  rate: number;
  minRate: number;
  maxRate: number;
  /** Percentiles over the samples of all slices. */
  latency: LatencySummary;
  /** CPU µs per append over all slices (null when not measurable). */
  cpu: { pgUs: number; nodeUs: number; pgWaitUs: number } | null;
  errors: number;
  firstError?: string;
}

const withApplicationName = (url: string, name: string): string => {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
};

/**
 * One slice of an append case: open the system's pool, warm up for WARMUP_SECONDS (not
 * measured), measure SLICE_SECONDS, close. Appends completing inside the window count.
 */
async function runAppendSlice(
  url: string,
  admin: pg.Client,
  system: AppendSystem,
  concurrency: number,
  sliceNo: number,
): Promise<AppendRun> {
  const applicationName = `bench-${system.key}-${sliceNo}`;
  const target = await system.open(withApplicationName(url, applicationName), concurrency);
  const latency = new LatencyRecorder();
  let appends = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = now();
  const measureStart = start + WARMUP_SECONDS * 1000;
  const measureEnd = measureStart + SLICE_SECONDS * 1000;
  const runTag = `${system.key}-c${concurrency}-${sliceNo}`;
  const cpuAt = (at: number) =>
    new Promise<CpuSample | null>((resolve) =>
      setTimeout(() => sampleCpu(admin, applicationName).then(resolve, () => resolve(null)), Math.max(0, at - now())),
    );
  const cpuStart = cpuAt(measureStart);
  const cpuEnd = cpuAt(measureEnd);

  const writer = async (w: number) => {
    const streamId = `${STREAM_TYPE}-${runTag}-${w}`;
    let version = 0;
    while (now() < measureEnd) {
      const t0 = now();
      try {
        await target.append(streamId, version);
      } catch (error) {
        errors++;
        firstError ??= String((error as Error)?.message ?? error);
        return; // this writer's stream is in an unknown state now
      }
      const t1 = now();
      version++;
      if (t1 >= measureStart && t1 <= measureEnd) {
        latency.record(t1 - t0);
        appends++;
      }
    }
  };
  let before: CpuSample | null;
  let after: CpuSample | null;
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, w) => writer(w)));
    [before, after] = await Promise.all([cpuStart, cpuEnd]);
  } finally {
    await target.close();
  }
  const delta = before && after && appends > 0 ? cpuDelta(before, after) : null;
  const cpu = delta
    ? { pgUs: delta.pgCpuUs / appends, pgWaitUs: delta.pgWaitUs / appends, nodeUs: delta.nodeCpuUs / appends }
    : undefined;
  return { appends, seconds: SLICE_SECONDS, rate: appends / SLICE_SECONDS, latency, errors, firstError, cpu, load: os.loadavg()[0] };
}

function summarizeCase(system: AppendSystem, concurrency: number, runs: AppendRun[]): AppendCaseResult {
  const merged = new LatencyRecorder();
  for (const run of runs) for (const sample of run.latency.sorted()) merged.record(sample);
  const rates = runs.map((r) => r.rate).sort((a, b) => a - b);
  const mid = rates.length >> 1;
  const total = runs.reduce((n, r) => n + r.appends, 0);
  const withCpu = runs.every((r) => r.cpu) && total > 0;
  const cpuSum = (pick: (c: NonNullable<AppendRun['cpu']>) => number) =>
    runs.reduce((sum, r) => sum + pick(r.cpu!) * r.appends, 0) / total;
  return {
    system,
    concurrency,
    runs,
    rate: rates.length % 2 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2,
    minRate: rates[0],
    maxRate: rates[rates.length - 1],
    latency: merged.summary(),
    cpu: withCpu ? { pgUs: cpuSum((c) => c.pgUs), nodeUs: cpuSum((c) => c.nodeUs), pgWaitUs: cpuSum((c) => c.pgWaitUs) } : null,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    firstError: runs.find((r) => r.firstError)?.firstError,
  };
}

// ---------------------------------------------------------------------------------------------
// Global log read
// ---------------------------------------------------------------------------------------------

/** Some transactions stay open a few ms after taking their position (same rule for every system). */
const holdMs = (w: number, i: number): number => ((w + i) % 3 === 0 ? 2 + ((w * 7 + i) % 7) : 0);

interface FollowResult {
  label: string;
  written: number;
  held: number;
  writeRate: number;
  read: number;
  duplicated: number;
  lost: number;
  outOfOrder: number;
  commitInversions: number;
  readRate: number;
  drainMs: number;
  lag: LatencySummary;
  note?: string;
  /** With a backlog: events read until the reader first reached the head of the log, and when. */
  catchUp?: { backlog: number; events: number; seconds: number };
}

/** Bookkeeping shared by every follow test: what was written when, what was read. */
class FollowLedger {
  readonly writtenAt = new Map<number, number>();
  /** Events already in the log when the test began (a catch-up test): to be read, no lag measured. */
  readonly backlog = new Set<number>();
  readonly seen = new Set<number>();
  readonly lag = new LatencyRecorder();
  held = 0;
  duplicated = 0;
  outOfOrder = 0;
  lastReadAt = 0;
  private maxSeen = -Infinity;

  wrote(position: number): void {
    this.writtenAt.set(position, now());
  }

  read(position: number): void {
    const t = now();
    this.lastReadAt = t;
    if (this.seen.has(position)) {
      this.duplicated++;
      return;
    }
    this.seen.add(position);
    if (position < this.maxSeen) this.outOfOrder++;
    else this.maxSeen = position;
    if (this.backlog.has(position)) return;
    // Unknown yet: read before its append's answer came back (lag ~0).
    const at = this.writtenAt.get(position);
    this.lag.record(at === undefined ? 0 : Math.max(0, t - at));
  }

  /**
   * Events whose append returned after an event with a higher position had already returned:
   * a reader that simply followed positions could have passed (and lost) each of them.
   */
  commitInversions(): number {
    const byPosition = [...this.writtenAt.entries()].sort((a, b) => b[0] - a[0]);
    let earliestHigher = Infinity;
    let inversions = 0;
    for (const [, at] of byPosition) {
      if (at > earliestHigher) inversions++;
      earliestHigher = Math.min(earliestHigher, at);
    }
    return inversions;
  }

  lost(): number {
    let lost = 0;
    for (const position of this.writtenAt.keys()) if (!this.seen.has(position)) lost++;
    for (const position of this.backlog) if (!this.seen.has(position)) lost++;
    return lost;
  }
}

/** Id of a transaction started after every writer committed, for the drain condition. */
async function transactionIdNow(url: string): Promise<string> {
  const [row] = await runOnServer<{ xid: string }>(url, 'SELECT pg_current_xact_id()::text AS xid');
  return row.xid;
}

/** True once no transaction at or before `xid` can still be running anywhere on the server. */
async function xminPassed(pool: pg.Pool, xid: string): Promise<boolean> {
  const { rows } = await pool.query<{ passed: boolean }>(
    'SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 AS passed',
    [xid],
  );
  return rows[0].passed;
}

interface PullReader {
  /** Reads the next batch after the reader's own cursor; returns the positions read. */
  next(): Promise<number[]>;
}

/**
 * Follow test: writers append for READ_SECONDS (one event per append, some transactions held
 * open), one pull reader follows the log concurrently, then drains. Drained = an empty read
 * issued after the server's xmin passed a transaction begun after the last writer finished.
 */
async function followWithPullReader(options: {
  label: string;
  url: string;
  write: (w: number, i: number) => Promise<number>;
  reader: PullReader;
  ledger: FollowLedger;
}): Promise<FollowResult> {
  const { url, ledger } = options;
  const probe = new pg.Pool({ connectionString: url, max: 1, types: pgStockTypes });
  let writersDone = false;
  let drainedAt = 0;
  let note: string | undefined;
  let catchUp: FollowResult['catchUp'];
  const start = now();
  const writeEnd = start + READ_SECONDS * 1000;

  const reader = (async () => {
    let xid: string | undefined;
    let xminOk = false;
    let deadline = Infinity;
    for (;;) {
      const positions = await options.reader.next();
      for (const p of positions) ledger.read(p);
      if (positions.length > 0 && positions.length >= READ_BATCH) continue;
      // A short batch: the reader is at the head of the log (with a backlog: it has caught up).
      if (ledger.backlog.size > 0) catchUp ??= { backlog: ledger.backlog.size, events: ledger.seen.size, seconds: (now() - start) / 1000 };
      if (writersDone) {
        if (positions.length === 0 && xminOk) break;
        xid ??= await transactionIdNow(url);
        deadline = Math.min(deadline, now() + DRAIN_TIMEOUT_SECONDS * 1000);
        if (!xminOk) xminOk = await xminPassed(probe, xid);
        if (now() > deadline) {
          note = 'drain timed out: a transaction elsewhere on the server held xmin back';
          break;
        }
        if (positions.length > 0 || xminOk) continue;
      }
      await sleep(POLL_MS);
    }
    drainedAt = now();
  })();

  let written = 0;
  const writers = Array.from({ length: READ_WRITERS }, async (_, w) => {
    for (let i = 0; now() < writeEnd; i++) {
      const position = await options.write(w, i);
      ledger.wrote(position);
      written++;
    }
  });
  let writersEnd = 0;
  try {
    await Promise.all(writers);
  } finally {
    writersEnd = now();
    writersDone = true; // lets the reader finish even if a writer failed
    await reader.finally(() => probe.end());
  }
  return {
    label: options.label,
    written,
    held: ledger.held,
    writeRate: written / ((writersEnd - start) / 1000),
    read: ledger.seen.size,
    duplicated: ledger.duplicated,
    lost: ledger.lost(),
    outOfOrder: ledger.outOfOrder,
    commitInversions: ledger.commitInversions(),
    readRate: ledger.seen.size / ((drainedAt - start) / 1000),
    drainMs: drainedAt - writersEnd,
    lag: ledger.lag.summary(),
    note,
    catchUp,
  };
}

async function followOurs(url: string, runTag: string): Promise<FollowResult> {
  await runOnServer(url, 'TRUNCATE events RESTART IDENTITY');
  return followOurLog(url, runTag, 'ours: readLog', new FollowLedger());
}

/**
 * The issue's read test proper: the reader starts from the beginning of a log of CATCHUP_EVENTS
 * while the 8 writers append; its rate is the events read until it first reaches the head.
 */
async function catchUpWhileWritingOurs(url: string, runTag: string): Promise<FollowResult> {
  await maintenance(url);
  const ledger = new FollowLedger();
  for (const { position } of await runOnServer<{ position: string }>(url, 'SELECT position FROM events')) {
    ledger.backlog.add(Number(position));
  }
  return followOurLog(url, runTag, `ours: readLog, ${READ_WRITERS} writers appending`, ledger);
}

/** Our readLog following the log while READ_WRITERS append to streams of their own (some transactions held open). */
async function followOurLog(url: string, runTag: string, label: string, ledger: FollowLedger): Promise<FollowResult> {
  const dataSource = newOurDataSource(url, READ_WRITERS + 2);
  await dataSource.initialize();
  const store = new EventStore(dataSource);
  let checkpoint: LogCheckpoint = LOG_START;
  try {
    return await followWithPullReader({
      label,
      url,
      ledger,
      reader: {
        async next() {
          const batch = await store.readLog(checkpoint, { limit: READ_BATCH });
          if (batch.length) {
            const last = batch[batch.length - 1];
            checkpoint = { transactionId: last.transactionId, position: last.position };
          }
          return batch.map((e) => e.position);
        },
      },
      write: async (w, i) => {
        const streamId = `${STREAM_TYPE}-${runTag}-${w}`;
        const hold = holdMs(w, i);
        const options = { streamType: STREAM_TYPE, expectedVersion: i, metadata: METADATA };
        if (hold === 0) return (await store.appendToStream(streamId, [OUR_EVENT], options)).lastPosition;
        ledger.held++;
        const runner = dataSource.createQueryRunner();
        await runner.connect();
        await runner.startTransaction();
        try {
          const result = await store.appendToStream(streamId, [OUR_EVENT], { ...options, manager: runner.manager });
          await sleep(hold);
          await runner.commitTransaction();
          return result.lastPosition;
        } catch (error) {
          await runner.rollbackTransaction();
          throw error;
        } finally {
          await runner.release();
        }
      },
    });
  } finally {
    await dataSource.destroy();
  }
}

/** Emmett store whose appends hold some transactions open (an inline projection sleeps in them). */
async function openHoldingEmmett(url: string, poolSize: number, ledger: FollowLedger) {
  return openEmmett(url, poolSize, {
    projections: projections.inline([
      {
        canHandle: [EVENT_TYPE],
        handle: async (events) => {
          const meta = events[0].metadata as { streamName: string; streamPosition: bigint };
          const w = Number(meta.streamName.slice(meta.streamName.lastIndexOf('-') + 1));
          const hold = holdMs(w, Number(meta.streamPosition) - 1);
          if (hold > 0) {
            ledger.held++;
            await sleep(hold);
          }
        },
      },
    ]),
  });
}

async function truncateEmmett(url: string): Promise<void> {
  await runOnServer(url, 'TRUNCATE emt_messages, emt_streams, emt_processors RESTART IDENTITY');
  await runOnServer(url, `SELECT setval('emt_global_message_position', 1, false)`);
}

const emmettWrite = (store: PostgresEventStore, runTag: string) => async (w: number, i: number) => {
  const result = await store.appendToStream<ArticleDrafted>(`${STREAM_TYPE}-${runTag}-${w}`, [EMMETT_EVENT], {
    expectedStreamVersion: BigInt(i),
  });
  return Number(result.lastEventGlobalPosition);
};

async function followEmmettBatches(url: string, runTag: string): Promise<FollowResult> {
  await truncateEmmett(url);
  const ledger = new FollowLedger();
  const { store, pool, close } = await openHoldingEmmett(url, READ_WRITERS + 2, ledger);
  const executor = dumbo({ connectionString: url, pool });
  let after = 0n;
  try {
    return await followWithPullReader({
      label: 'Emmett: readMessagesBatch',
      url,
      ledger,
      reader: {
        async next() {
          const batch = await readMessagesBatch(executor.execute, { after, batchSize: READ_BATCH });
          after = batch.currentGlobalPosition;
          return batch.messages.map((m) => Number(m.metadata.globalPosition));
        },
      },
      write: emmettWrite(store, runTag),
    });
  } finally {
    await close();
  }
}

/** Emmett's production reading path: store.consumer() + reactor (checkpoints stored in emt_processors). */
async function followEmmettConsumer(url: string, runTag: string): Promise<FollowResult> {
  await truncateEmmett(url);
  const ledger = new FollowLedger();
  const { store, close } = await openHoldingEmmett(url, READ_WRITERS + 3, ledger);
  const consumer = store.consumer({ pulling: { batchSize: READ_BATCH, pullingFrequencyInMs: POLL_MS } });
  consumer.reactor<ArticleDrafted>({
    processorId: `bench-follow-${runTag}`,
    startFrom: 'BEGINNING',
    eachMessage: async (message) => {
      ledger.read(Number(message.metadata.globalPosition));
    },
  });
  const start = now();
  const consuming = consumer.start();
  consuming.catch(() => undefined); // awaited (and rethrown) below; avoid an unhandled rejection meanwhile
  const probe = new pg.Pool({ connectionString: url, max: 1, types: pgStockTypes });
  const writeEnd = start + READ_SECONDS * 1000;
  const write = emmettWrite(store, runTag);
  let written = 0;
  let note: string | undefined;
  try {
    await Promise.all(
      Array.from({ length: READ_WRITERS }, async (_, w) => {
        for (let i = 0; now() < writeEnd; i++) {
          ledger.wrote(await write(w, i));
          written++;
        }
      }),
    );
    const writersEnd = now();
    // Drained = xmin passed the writers and nothing new arrived for longer than the consumer's
    // longest poll back-off (1 s) plus slack.
    const xid = await transactionIdNow(url);
    const deadline = now() + DRAIN_TIMEOUT_SECONDS * 1000;
    while (!(await xminPassed(probe, xid))) {
      if (now() > deadline) {
        note = 'drain timed out: a transaction elsewhere on the server held xmin back';
        break;
      }
      await sleep(50);
    }
    const xminAt = now();
    const quietMs = 2500;
    while (now() - Math.max(ledger.lastReadAt, xminAt) < quietMs && now() < deadline) await sleep(100);
    const drainedAt = Math.max(ledger.lastReadAt, writersEnd);
    await consumer.stop();
    await consuming;
    return {
      label: 'Emmett: consumer + reactor',
      written,
      held: ledger.held,
      writeRate: written / ((writersEnd - start) / 1000),
      read: ledger.seen.size,
      duplicated: ledger.duplicated,
      lost: ledger.lost(),
      outOfOrder: ledger.outOfOrder,
      commitInversions: ledger.commitInversions(),
      readRate: ledger.seen.size / ((drainedAt - start) / 1000),
      drainMs: drainedAt - writersEnd,
      lag: ledger.lag.summary(),
      note,
    };
  } finally {
    await probe.end();
    await consumer.close().catch(() => undefined);
    await close();
  }
}

// ---------------------------------------------------------------------------------------------
// Catch-up read of the whole log
// ---------------------------------------------------------------------------------------------

interface CatchUpResult {
  label: string;
  total: number;
  read: number;
  duplicated: number;
  lost: number;
  rate: number;
  seconds: number;
  /** CPU µs per event read: this process / the reader's PostgreSQL backends. */
  cpu?: { nodeUs: number; pgUs: number };
  note?: string;
}

/** Runs `run` and measures the CPU this process and the backends named `applicationName` spent on it. */
async function withCpu(
  url: string,
  applicationName: string,
  run: () => Promise<CatchUpResult>,
): Promise<CatchUpResult> {
  const admin = new pg.Client({ connectionString: withApplicationName(url, 'bench-admin'), types: pgStockTypes });
  await admin.connect();
  try {
    const before = await sampleCpu(admin, applicationName).catch(() => null);
    const result = await run();
    const after = await sampleCpu(admin, applicationName).catch(() => null);
    const delta = before && after && result.read > 0 ? cpuDelta(before, after) : null;
    if (delta) result.cpu = { nodeUs: delta.nodeCpuUs / result.read, pgUs: delta.pgCpuUs / result.read };
    return result;
  } finally {
    await admin.end();
  }
}

/** Tops a log up to `total` events with multi-event appends (not timed). */
async function topUp(current: number, total: number, appendBatch: (streamId: string, count: number) => Promise<void>, tag: string) {
  const perAppend = 500;
  let remaining = total - current;
  let streamNo = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (remaining > 0) {
        const count = Math.min(perAppend, remaining);
        remaining -= count;
        await appendBatch(`${STREAM_TYPE}-${tag}-${streamNo++}`, count);
      }
    }),
  );
}

async function countRows(url: string, table: string): Promise<number> {
  const [row] = await runOnServer<{ n: number }>(url, `SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}

// Experimental only: readLog's statement verbatim, to time it without TypeORM / without parsing.
const READ_LOG_SQL = `SELECT position, transaction_id::text AS transaction_id_text, event_id, stream_id, stream_type,
  stream_version, type, data, metadata, recorded_at FROM events
        WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY events.transaction_id, events.position
        LIMIT $3`;

/** Reads the whole log in batches; `next` returns the batch's positions and advances its own cursor. */
async function timeWholeLog(label: string, total: number, next: () => Promise<number[]>): Promise<CatchUpResult> {
  const seen = new Set<number>();
  let duplicated = 0;
  const t0 = now();
  for (;;) {
    const positions = await next();
    if (positions.length === 0) break;
    for (const p of positions) {
      if (seen.has(p)) duplicated++;
      else seen.add(p);
    }
  }
  const seconds = (now() - t0) / 1000;
  return { label, total, read: seen.size, duplicated, lost: total - seen.size, rate: seen.size / seconds, seconds };
}

async function catchUpOurs(url: string): Promise<CatchUpResult[]> {
  const readerName = 'bench-read-ours';
  const dataSource = newOurDataSource(withApplicationName(url, readerName), 4);
  await dataSource.initialize();
  const store = new EventStore(dataSource);
  try {
    const current = await countRows(url, 'events');
    await topUp(
      current,
      CATCHUP_EVENTS,
      async (streamId, count) => {
        await store.appendToStream(
          streamId,
          Array.from({ length: count }, () => OUR_EVENT),
          { streamType: STREAM_TYPE, expectedVersion: 0, metadata: METADATA },
        );
      },
      'catchup',
    );
    await maintenance(url);
    const total = await countRows(url, 'events');

    let checkpoint: LogCheckpoint = LOG_START;
    const results = [
      await withCpu(url, readerName, () =>
        timeWholeLog('ours: readLog', total, async () => {
          const batch = await store.readLog(checkpoint, { limit: READ_BATCH });
          if (batch.length) {
            const last = batch[batch.length - 1];
            checkpoint = { transactionId: last.transactionId, position: last.position };
          }
          return batch.map((e) => e.position);
        }),
      ),
    ];

    if (EXPERIMENTS) {
      const asText = (value: string) => value;
      const variants: [string, pg.CustomTypesConfig][] = [
        ['EXP readLog SQL on raw pg (stock parsers)', pgStockTypes],
        [
          'EXP readLog SQL on raw pg, jsonb+timestamptz as text',
          {
            getTypeParser: (oid: number, format?: 'text' | 'binary') =>
              oid === 3802 || oid === 114 || oid === 1184 ? asText : (pgStockTypes.getTypeParser as (o: number, f?: string) => unknown)(oid, format),
          } as unknown as pg.CustomTypesConfig,
        ],
      ];
      for (const [n, [label, types]] of variants.entries()) {
        const name = `bench-read-exp-${n}`;
        const pool = new pg.Pool({ connectionString: withApplicationName(url, name), max: 1, types });
        let cursor: [string, string | number] = ['0', 0];
        try {
          results.push(
            await withCpu(url, name, () =>
              timeWholeLog(label, total, async () => {
                const { rows } = await pool.query<{ position: string; transaction_id_text: string }>(READ_LOG_SQL, [
                  ...cursor,
                  READ_BATCH,
                ]);
                if (rows.length) cursor = [rows[rows.length - 1].transaction_id_text, rows[rows.length - 1].position];
                return rows.map((r) => Number(r.position));
              }),
            ),
          );
        } finally {
          await pool.end();
        }
      }
    }
    return results;
  } finally {
    await dataSource.destroy();
  }
}

async function topUpEmmett(url: string): Promise<number> {
  const { store, close } = await openEmmett(url, 4);
  try {
    const current = await countRows(url, 'emt_messages');
    await topUp(current, CATCHUP_EVENTS, async (streamId, count) => {
      await store.appendToStream<ArticleDrafted>(streamId, Array.from({ length: count }, () => EMMETT_EVENT), {
        expectedStreamVersion: 0n,
      });
    }, 'catchup');
  } finally {
    await close();
  }
  await maintenance(url);
  return countRows(url, 'emt_messages');
}

async function catchUpEmmettBatches(url: string, total: number): Promise<CatchUpResult> {
  const readerName = 'bench-read-emmett';
  const pool = new pg.Pool({ connectionString: withApplicationName(url, readerName), max: 2 });
  const executor = dumbo({ connectionString: url, pool });
  let after = 0n;
  try {
    return await withCpu(url, readerName, () =>
      timeWholeLog('Emmett: readMessagesBatch', total, async () => {
        const batch = await readMessagesBatch(executor.execute, { after, batchSize: READ_BATCH });
        after = batch.currentGlobalPosition;
        return batch.messages.map((m) => Number(m.metadata.globalPosition));
      }),
    );
  } finally {
    await pool.end();
  }
}

async function catchUpEmmettConsumer(url: string, total: number): Promise<CatchUpResult> {
  const readerName = 'bench-read-emmett-consumer';
  const { store, close } = await openEmmett(withApplicationName(url, readerName), 4);
  const seen = new Set<number>();
  let duplicated = 0;
  const deadline = now() + CONSUMER_CAP_SECONDS * 1000;
  let capped = false;
  const consumer = store.consumer({
    pulling: { batchSize: READ_BATCH, pullingFrequencyInMs: POLL_MS },
    stopWhen: { noMessagesLeft: true },
  });
  consumer.reactor<ArticleDrafted>({
    processorId: `bench-catchup-${Date.now()}`,
    startFrom: 'BEGINNING',
    eachMessage: async (message) => {
      const p = Number(message.metadata.globalPosition);
      if (seen.has(p)) duplicated++;
      else seen.add(p);
    },
    stopAfter: () => {
      if (now() < deadline) return false;
      capped = true;
      return true;
    },
  });
  try {
    return await withCpu(url, readerName, async () => {
      const t0 = now();
      await consumer.start();
      const seconds = (now() - t0) / 1000;
      return {
        label: 'Emmett: consumer + reactor',
        total,
        read: seen.size,
        duplicated,
        lost: capped ? NaN : total - seen.size,
        rate: seen.size / seconds,
        seconds,
        note: capped
          ? `stopped after the ${CONSUMER_CAP_SECONDS} s cap (BENCH_CONSUMER_CAP_SECONDS); lost not counted`
          : undefined,
      };
    });
  } finally {
    await consumer.close().catch(() => undefined);
    await close();
  }
}

// ---------------------------------------------------------------------------------------------
// Database setup and housekeeping
// ---------------------------------------------------------------------------------------------

async function prepareDatabase(url: string): Promise<void> {
  const dataSource = newOurDataSource(url, 1);
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
    // Same columns, defaults, identity, constraints and indexes as events (own sequence).
    await dataSource.query('CREATE TABLE events_plain (LIKE events INCLUDING ALL)');
  } finally {
    await dataSource.destroy();
  }
  const { close } = await openEmmett(url, 1);
  await close();
}

/** VACUUM ANALYZE the tables and CHECKPOINT, so every case starts from the same state. */
async function maintenance(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, types: pgStockTypes });
  await client.connect();
  try {
    for (const table of ['events', 'events_plain', 'emt_messages', 'emt_streams']) {
      await client.query(`VACUUM (ANALYZE) ${table}`);
    }
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

async function serverInfo(url: string) {
  const [version] = await runOnServer<{ v: string }>(url, 'SELECT version() AS v');
  const settings = await runOnServer<{ name: string; setting: string; unit: string | null }>(
    url,
    `SELECT name, setting, unit FROM pg_settings
      WHERE name IN ('shared_buffers','synchronous_commit','fsync','wal_level','max_connections','autovacuum','commit_delay','full_page_writes')
      ORDER BY name`,
  );
  return { version: version.v, settings };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const progress = (text: string): void => {
  process.stderr.write(text);
};

function printAppendReport(results: AppendCaseResult[]): { passes: boolean[] } {
  const passes: boolean[] = [];
  const find = (key: string, c: number) => results.find((r) => r.system.key === key && r.concurrency === c);
  const systems = [ours, emmett, plain, ...(EXPERIMENTS ? experiments : [])];
  const cpuCount = os.cpus().length;

  log(
    `Appends: one event per append, one stream per writer, expected version checked (plain INSERT: none). ` +
      `Ours combines appends that arrive together into one INSERT in one transaction (one WAL flush), each row still checked ` +
      `against its own expected version; Emmett and plain INSERT commit every append in a transaction of its own. ` +
      `Per case ${SLICES} interleaved slices x ${fmtMs(SLICE_SECONDS)} s (+${WARMUP_SECONDS} s warm-up each); ` +
      `events/s = median slice (min-max), latency over all slices`,
  );
  const rows: string[][] = [];
  for (const c of CONCURRENCY) {
    for (const s of systems) {
      const r = find(s.key, c);
      if (!r || r.runs.length === 0) continue;
      const cpuTotal = r.cpu ? r.cpu.pgUs + r.cpu.nodeUs : NaN;
      rows.push([
        String(c),
        s.label,
        fmtInt(r.rate),
        `${fmtInt(r.minRate)}-${fmtInt(r.maxRate)}`,
        fmtMs(r.latency.p50),
        fmtMs(r.latency.p99),
        fmtInt(r.cpu?.nodeUs ?? NaN),
        fmtInt(r.cpu?.pgUs ?? NaN),
        fmtInt(cpuTotal),
        fmtInt((cpuCount * 1e6) / cpuTotal),
        fmtInt(r.cpu?.pgWaitUs ?? NaN),
        r.errors ? `${r.errors}: ${r.firstError}` : '0',
      ]);
    }
  }
  log(
    renderTable(
      ['conc', 'system', 'events/s', 'slices min-max', 'p50 ms', 'p99 ms', 'node µs', 'pg µs', 'CPU µs', 'CPU ceiling', 'pg wait µs', 'errors'],
      rows,
    ),
  );
  log('  node/pg/CPU µs = CPU time per append of this process / of the case\'s PostgreSQL backends / both');
  log(`  CPU ceiling = ${cpuCount} cpus / CPU µs: the events/s the case could reach if it had the whole box (fsync aside)`);
  log('  pg wait µs = time per append the backends were runnable but waited for a CPU (contention on the box)');
  log();

  log(
    `Targets: ours >= ${TARGET_VS_EMMETT}x Emmett and >= ${fmtPct(TARGET_VS_PLAIN)} of plain INSERT, at concurrency ${TARGET_LEVELS.join(' and ')}. ` +
      `plain INSERT is the floor of one append per transaction; ours, combining appends, can exceed it (ours/plain > 100%). ` +
      `plain/Emmett = the most a store committing each append in its own transaction could gain over Emmett here.`,
  );
  const ratioRows: string[][] = [];
  for (const c of CONCURRENCY) {
    const o = find('ours', c);
    const e = find('emmett', c);
    const p = find('plain', c);
    if (!o || !e || !p) continue;
    const vsEmmett = o.rate / e.rate;
    const vsPlain = o.rate / p.rate;
    const targeted = TARGET_LEVELS.includes(c);
    const okEmmett = vsEmmett >= TARGET_VS_EMMETT;
    const okPlain = vsPlain >= TARGET_VS_PLAIN;
    if (targeted) passes.push(okEmmett, okPlain);
    const cpuOf = (r: AppendCaseResult) => (r.cpu ? r.cpu.pgUs + r.cpu.nodeUs : NaN);
    ratioRows.push([
      String(c),
      `${fmtInt(o.rate)} (${fmtMs(o.latency.p50)}/${fmtMs(o.latency.p99)})`,
      `${fmtInt(e.rate)} (${fmtMs(e.latency.p50)}/${fmtMs(e.latency.p99)})`,
      `${fmtInt(p.rate)} (${fmtMs(p.latency.p50)}/${fmtMs(p.latency.p99)})`,
      fmtRatio(vsEmmett),
      targeted ? `${passFail(okEmmett)} (>= ${TARGET_VS_EMMETT}x)` : 'info',
      fmtPct(vsPlain),
      targeted ? `${passFail(okPlain)} (>= ${fmtPct(TARGET_VS_PLAIN)})` : 'info',
      fmtRatio(p.rate / e.rate),
      `${fmtRatio(cpuOf(e) / cpuOf(o))} / ${fmtPct(cpuOf(p) / cpuOf(o))}`,
    ]);
  }
  log(
    renderTable(
      [
        'conc',
        'ours ev/s (p50/p99 ms)',
        'Emmett ev/s (p50/p99 ms)',
        'plain ev/s (p50/p99 ms)',
        'ours/Emmett',
        'target',
        'ours/plain',
        'target',
        'plain/Emmett',
        'by CPU: vs Emmett / vs plain',
      ],
      ratioRows,
    ),
  );
  log('  by CPU = the same two ratios from CPU µs per append (Emmett CPU / ours CPU, plain CPU / ours CPU): robust to other load on the box');
  return { passes };
}

function printReadReport(follow: FollowResult[], catchUp: CatchUpResult[], whileWriting: FollowResult): { passes: boolean[] } {
  const passes: boolean[] = [];
  log(
    `Global log while ${READ_WRITERS} writers append for ${READ_SECONDS} s (one event per append; ` +
      `every 3rd transaction held open 2-8 ms), one reader following from the start, batch ${READ_BATCH}, then draining`,
  );
  log(
    renderTable(
      ['reader', 'written', 'held open', 'write ev/s', 'read', 'read ev/s', 'commit inv.', 'read inv.', 'lost', 'dup', 'lag p50 ms', 'lag p99 ms', 'drain ms', 'target'],
      follow.map((f) => {
        const ok = f.lost === 0 && f.duplicated === 0;
        const isOurs = f.label.startsWith('ours');
        if (isOurs) passes.push(ok);
        return [
          f.label,
          fmtInt(f.written),
          fmtInt(f.held),
          fmtInt(f.writeRate),
          fmtInt(f.read),
          fmtInt(f.readRate),
          fmtInt(f.commitInversions),
          fmtInt(f.outOfOrder),
          fmtInt(f.lost),
          fmtInt(f.duplicated),
          fmtMs(f.lag.p50),
          fmtMs(f.lag.p99),
          fmtInt(f.drainMs),
          isOurs ? `${passFail(ok)} (0 lost, 0 dup)` : ok ? 'ok' : 'LOSES/REPEATS EVENTS',
        ];
      }),
    ),
  );
  for (const f of follow) if (f.note) log(`  note (${f.label}): ${f.note}`);
  log('  read ev/s = distinct events read / (reader start .. drained); it cannot exceed the write rate while following.');
  log('  commit inv. = events committed after an event with a higher position had committed (a reader following positions alone could skip them).');
  log('  read inv. = events delivered after an event with a higher position (the reader orders by commit-safe key, not by position).');
  log('  lag = time from the append returning to the reader receiving the event.');
  log();

  log(`Catch-up read of the whole log (target: ours >= ${fmtInt(TARGET_READ_RATE)} events/s, 0 lost, 0 dup)`);
  log(
    renderTable(
      ['reader', 'events in log', 'read', 'seconds', 'events/s', 'node µs/ev', 'pg µs/ev', 'lost', 'dup', 'target'],
      catchUp.map((r) => {
        const isOurs = r.label.startsWith('ours');
        const ok = r.rate >= TARGET_READ_RATE && r.lost === 0 && r.duplicated === 0;
        if (isOurs) passes.push(ok);
        return [
          r.label,
          fmtInt(r.total),
          fmtInt(r.read),
          r.seconds.toFixed(2),
          fmtInt(r.rate),
          r.cpu ? r.cpu.nodeUs.toFixed(1) : 'n/a',
          r.cpu ? r.cpu.pgUs.toFixed(1) : 'n/a',
          Number.isNaN(r.lost) ? 'n/a' : fmtInt(r.lost),
          fmtInt(r.duplicated),
          isOurs ? passFail(ok) : 'info',
        ];
      }),
    ),
  );
  for (const r of catchUp) if (r.note) log(`  note (${r.label}): ${r.note}`);
  log('  node/pg µs/ev = CPU time per event read, this process / the reader\'s PostgreSQL backends (robust to other load on the box).');
  log('  Emmett 0.42: readMessagesBatch orders rows by (transaction_id, global_position) but resumes after the last');
  log('  global_position alone, so rows of a later transaction with lower positions are skipped at a batch boundary and');
  log('  rows with higher positions are read twice; its consumer (reactor) drops repeats by checkpoint but not the skips,');
  log('  stores a checkpoint per message, and backs off to 1 s polls when idle. emt_messages has no index for that order,');
  log('  so every batch scans and sorts the whole partition: catch-up cost grows with the size of the log.');
  log();

  const rate = catchUpRate(whileWriting);
  const ok = rate >= TARGET_READ_RATE && whileWriting.lost === 0 && whileWriting.duplicated === 0;
  passes.push(ok);
  log(
    `Catch-up read while ${READ_WRITERS} writers append (as above, every 3rd transaction held open 2-8 ms): the reader starts ` +
      `from the beginning of the log above (target: ours >= ${fmtInt(TARGET_READ_RATE)} events/s until it reaches the head, 0 lost, 0 dup)`,
  );
  log(
    renderTable(
      ['reader', 'in log at start', 'written meanwhile', 'write ev/s', 'read to head', 'seconds', 'events/s', 'read in all', 'lost', 'dup', 'drain ms', 'target'],
      [
        [
          whileWriting.label,
          fmtInt(whileWriting.catchUp?.backlog ?? 0),
          fmtInt(whileWriting.written),
          fmtInt(whileWriting.writeRate),
          fmtInt(whileWriting.catchUp?.events ?? 0),
          whileWriting.catchUp ? whileWriting.catchUp.seconds.toFixed(2) : 'never',
          fmtInt(rate),
          fmtInt(whileWriting.read),
          fmtInt(whileWriting.lost),
          fmtInt(whileWriting.duplicated),
          fmtInt(whileWriting.drainMs),
          passFail(ok),
        ],
      ],
    ),
  );
  if (whileWriting.note) log(`  note: ${whileWriting.note}`);
  log('  read to head = events read until the first batch shorter than the batch size (the reader had caught up with the writers);');
  log('  lost and dup count every event in the log at the end, the backlog and what the writers added.');
  return { passes };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function runReadPhase(url: string): Promise<{ follow: FollowResult[]; catchUp: CatchUpResult[]; catchUpWhileWriting: FollowResult }> {
  const follow: FollowResult[] = [];
  for (const [name, run] of [
    ['ours readLog', () => followOurs(url, 'follow-ours')],
    ['Emmett readMessagesBatch', () => followEmmettBatches(url, 'follow-emmett-batches')],
    ['Emmett consumer', () => followEmmettConsumer(url, 'follow-emmett-consumer')],
  ] as const) {
    await maintenance(url);
    progress(`  follow ${name} ... `);
    const result = await run();
    progress(`written ${fmtInt(result.written)}, read ${fmtInt(result.read)}, lost ${result.lost}, dup ${result.duplicated}\n`);
    follow.push(result);
  }

  progress(`  topping logs up to ${fmtInt(CATCHUP_EVENTS)} events and reading them back ...\n`);
  const catchUp: CatchUpResult[] = [...(await catchUpOurs(url))];
  progress(`  catch-up ours: readLog from the start while ${READ_WRITERS} writers append ... `);
  const catchUpWhileWriting = await catchUpWhileWritingOurs(url, 'catchup-writing');
  progress(`${fmtInt(catchUpRate(catchUpWhileWriting))} ev/s, lost ${catchUpWhileWriting.lost}, dup ${catchUpWhileWriting.duplicated}\n`);
  const emmettTotal = await topUpEmmett(url);
  catchUp.push(await catchUpEmmettBatches(url, emmettTotal));
  catchUp.push(await catchUpEmmettConsumer(url, emmettTotal));
  for (const r of catchUp) progress(`  catch-up ${r.label}: ${fmtInt(r.rate)} ev/s\n`);
  return { follow, catchUp, catchUpWhileWriting };
}

/** Events read per second until the reader first reached the head of the log (0 if it never did). */
const catchUpRate = (result: FollowResult): number => (result.catchUp ? result.catchUp.events / result.catchUp.seconds : 0);

async function main(): Promise<void> {
  const serverUrl = SERVER_URL;
  const info = await serverInfo(serverUrl);
  const cpus = os.cpus();
  const payloadBytes = JSON.stringify(ARTICLE_DATA).length;
  const metadataBytes = JSON.stringify(METADATA).length;

  log('== Newsroom event store benchmark (npm run bench:store) ==');
  log(`machine     : load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at start (other work on this box skews timings)`);
  log(`machine     : ${cpus.length} cpus (${cpus[0]?.model?.trim() ?? '?'}), ${fmtInt(os.totalmem() / 2 ** 20)} MiB RAM, node ${process.version}`);
  log(`postgres    : ${info.version}`);
  log(`pg settings : ${info.settings.map((s) => `${s.name}=${s.setting}${s.unit && s.unit !== 'bool' ? s.unit : ''}`).join(', ')}`);
  log(`server      : ${redact(serverUrl)} (fresh database per run, dropped afterwards)`);
  log(
    `settings    : BENCH_SECONDS=${SECONDS} BENCH_WARMUP_SECONDS=${WARMUP_SECONDS} BENCH_CONCURRENCY=${CONCURRENCY.join(',')} ` +
      `BENCH_READ_SECONDS=${READ_SECONDS} BENCH_READ_WRITERS=${READ_WRITERS} BENCH_READ_BATCH=${READ_BATCH} ` +
      `BENCH_CATCHUP_EVENTS=${CATCHUP_EVENTS} BENCH_POLL_MS=${POLL_MS} BENCH_SLICES=${SLICES} BENCH_EXPERIMENTS=${EXPERIMENTS ? 1 : 0}` +
      (SYNCHRONOUS_COMMIT ? ` BENCH_SYNCHRONOUS_COMMIT=${SYNCHRONOUS_COMMIT} (EXPERIMENT: append cases only)` : ''),
  );
  log(`event       : ${EVENT_TYPE}, data ${payloadBytes} B JSON + metadata ${metadataBytes} B JSON; pool size = concurrency for every system`);
  log();

  let database: TestDatabase | undefined;
  try {
    database = await createTestDatabase(serverUrl, 'newsroom_bench');
    const url = database.url;
    const appendUrl = withSessionSettings(url);
    log(`database    : ${database.name}`);
    await prepareDatabase(url);

    // 1. Appends. Per concurrency level, each case is measured in BENCH_SLICES short slices, the
    // systems' slices interleaved (rotating order) so that background load on the box hits all of
    // them alike; every rotation starts after VACUUM ANALYZE + CHECKPOINT.
    const systems = PHASES.has('append') ? [ours, emmett, plain, ...(EXPERIMENTS ? experiments : [])] : [];
    const runs = new Map<string, AppendRun[]>();
    const caseKey = (system: AppendSystem, concurrency: number) => `${system.key}@${concurrency}`;
    const admin = new pg.Client({ connectionString: withApplicationName(url, 'bench-admin'), types: pgStockTypes });
    await admin.connect();
    try {
      let sliceNo = 0;
      for (const [level, concurrency] of systems.length ? [...CONCURRENCY.entries()] : []) {
        for (let slice = 0; slice < SLICES; slice++) {
          await maintenance(url);
          const rotation = systems.map((_, i) => systems[(i + level + slice) % systems.length]);
          for (const system of rotation) {
            progress(`  c=${concurrency} slice ${slice + 1}/${SLICES} ${system.label} ... `);
            const run = await runAppendSlice(appendUrl, admin, system, concurrency, sliceNo++);
            progress(`${fmtInt(run.rate)} ev/s, p50 ${fmtMs(run.latency.summary().p50)} ms, load ${run.load.toFixed(1)}\n`);
            const key = caseKey(system, concurrency);
            runs.set(key, [...(runs.get(key) ?? []), run]);
          }
        }
      }
    } finally {
      await admin.end();
    }
    const results = CONCURRENCY.flatMap((c) => systems.map((s) => summarizeCase(s, c, runs.get(caseKey(s, c)) ?? [])));

    // 2. Global log: follow while writing, then catch-up.
    const read = PHASES.has('read') ? await runReadPhase(url) : undefined;

    log();
    const appendReport = results.length ? printAppendReport(results) : { passes: [] };
    log();
    const readReport = read ? printReadReport(read.follow, read.catchUp, read.catchUpWhileWriting) : { passes: [] };
    log();
    log(`machine     : load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
    const all = [...appendReport.passes, ...readReport.passes];
    const failed = all.filter((ok) => !ok).length;
    log(`Summary: ${all.length - failed} of ${all.length} targets PASS, ${failed} FAIL (report only; exit code 0).`);
  } finally {
    await database?.drop();
  }
}

/** The URL the append cases connect with (BENCH_SYNCHRONOUS_COMMIT experiment only changes this). */
function withSessionSettings(url: string): string {
  if (!SYNCHRONOUS_COMMIT) return url;
  const u = new URL(url);
  u.searchParams.set('options', `-c synchronous_commit=${SYNCHRONOUS_COMMIT}`);
  return u.toString();
}

const redact = (url: string): string => {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
};

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
