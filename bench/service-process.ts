/**
 * The real service in a child process for benchmarks, on real PostgreSQL and a real Kafka broker
 * (started here when KAFKA_BROKERS is unset), with a fresh database and unique topics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { freePort } from '../libs/testing/src/free-port.js';
import { KafkaBroker } from '../libs/testing/src/kafka-broker.js';
import { killChildWhenParentDies, stopChildProcess } from '../libs/testing/src/process-reaper.js';
import { createTestDatabase, type TestDatabase } from '../libs/testing/src/test-database.js';
import { sleep } from './bench-utils.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JWT_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';

/** `single`: API and workers in one process, as `npm start`; `split`: `start:api` plus `start:worker`. */
export type Topology = 'single' | 'split';

// The flags the npm start scripts give node (package.json).
export const NODE_FLAGS = ['--max-old-space-size=160', ...(process.env.BENCH_SERVICE_NODE_FLAGS ?? '').split(' ').filter(Boolean)];

export interface ServiceProcess {
  url: string;
  /** How the service reaches PostgreSQL (socket or TCP), for the report. */
  databaseServer: string;
  topology: Topology;
  databaseUrl: string;
  kafkaBrokers: string;
  /** Peak resident memory (VmHWM) of each service process so far, in MB. */
  peakRssMb(): { role: string; mb: number }[];
  /** Current resident memory (VmRSS) of each service process, in MB. */
  rssMb(): { role: string; mb: number }[];
  /** The service's processes (one per role), for CPU accounting. */
  processes: { role: string; pid: number }[];
  /** The Kafka broker's JVM when this module started it. */
  kafkaPid?: number;
  token(roles: string[], sub?: string): string;
  stop(): Promise<void>;
}

function procStatusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Starts the service: `main.js --with-workers`, or `main.js` and `worker.js` side by side. */
export async function startService(env: Record<string, string> = {}, topology: Topology = 'single'): Promise<ServiceProcess> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const databaseUrl = process.env.DATABASE_URL ?? defaultDatabaseUrl();
    const database: TestDatabase = await createTestDatabase(databaseUrl);
    cleanups.push(() => database.drop());
    let kafkaBrokers = process.env.KAFKA_BROKERS;
    let kafkaPid: number | undefined;
    if (!kafkaBrokers) {
      const broker = await KafkaBroker.start();
      cleanups.push(() => broker.destroy());
      kafkaBrokers = broker.brokers;
      kafkaPid = broker.pid;
    }
    const port = await freePort();
    const suffix = randomBytes(4).toString('hex');
    const serviceEnv = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      KAFKA_BROKERS: kafkaBrokers,
      KAFKA_TOPIC_ARTICLES: `bench.article-events.${suffix}`,
      KAFKA_TOPIC_REACTIONS: `bench.reactions.${suffix}`,
      KAFKA_GROUP_PREFIX: `bench.${suffix}`,
      JWT_SECRET,
      LOG_LEVEL: 'warn',
      ...env,
    };
    const roles: [string, string[]][] =
      topology === 'single' ? [['service', ['dist/src/main.js', '--with-workers']]] : [['api', ['dist/src/main.js']], ['worker', ['dist/src/worker.js']]];
    const children = roles.map(([role, args]) => {
      const child: ChildProcess = spawn(process.execPath, [...NODE_FLAGS, ...args], { cwd: ROOT, env: serviceEnv, stdio: ['ignore', 'ignore', 'inherit'] });
      // Killed with the bench even if it is SIGKILLed; stop() gives it 15 s to shut down.
      killChildWhenParentDies(child);
      cleanups.unshift(() => stopChildProcess(child));
      return { role, child };
    });
    const url = `http://127.0.0.1:${port}`;
    await waitUntilUp(url, children[0].child);
    const memory = (field: 'VmHWM' | 'VmRSS') => children.map(({ role, child }) => ({ role, mb: procStatusMb(child.pid!, field) }));
    return {
      url,
      databaseServer: new URL(databaseUrl).searchParams.get('host') ?? new URL(databaseUrl).host,
      topology,
      databaseUrl: database.url,
      kafkaBrokers,
      peakRssMb: () => memory('VmHWM'),
      rssMb: () => memory('VmRSS'),
      processes: children.map(({ role, child }) => ({ role, pid: child.pid! })),
      kafkaPid,
      token: (roles, sub = `bench-${roles.join('-')}`) =>
        jwt.sign({ sub, name: `Bench ${roles.join(' ')}`, roles }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '2h' }),
      stop: async () => {
        for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
    throw error;
  }
}

/**
 * The local PostgreSQL through its Unix socket when there is one (the usual way to reach a server
 * on the same machine, and much cheaper per query than TCP over loopback), else over TCP.
 */
export function defaultDatabaseUrl(): string {
  return existsSync('/var/run/postgresql/.s.PGSQL.5432')
    ? 'postgres://postgres@localhost/test?host=/var/run/postgresql'
    : 'postgres://postgres@127.0.0.1:5432/test';
}

async function waitUntilUp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/feed`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error('the service did not come up within 60 s');
}

/** Drafts, fact-checks and publishes a story over HTTP; returns its id and slug. */
export async function publishStory(service: ServiceProcess, headline: string): Promise<{ id: string; slug: string }> {
  const reporter = service.token(['reporter'], 'bench-reporter');
  const editor = service.token(['editor'], 'bench-editor');
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(service.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as any;
  };
  const { id } = await call('POST', '/articles', reporter, { headline, body: `${headline}. A story for the benchmark.`, section: 'world' });
  await call('POST', `/articles/${id}/submit`, reporter);
  await call('POST', `/articles/${id}/approve`, editor);
  await call('POST', `/articles/${id}/publish`, editor, {});
  const article = await call('GET', `/articles/${id}`, editor);
  return { id, slug: article.slug };
}
