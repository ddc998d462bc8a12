import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { chown, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { killWhenParentDies, makeOwnedTempDir, removeAbandonedTempDirs } from './process-reaper.js';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const TEMP_DIR_PREFIX = 'newsroom-pg-';

export interface PostgresServer {
  /** Connection URL for the requested database on the server in use. */
  url: string;
  /** Stops and removes a server this call started; a no-op for one that was already running. */
  stop(): Promise<void>;
}

/** A server of the test's own, which it may stop and start again (to test faults). */
export interface ThrowawayPostgres extends PostgresServer {
  /** Stops the server; `immediate` is a crash: no checkpoint, WAL recovery at the next start. */
  halt(mode: 'fast' | 'immediate'): Promise<void>;
  /** Starts the halted server again, on the same port and data. */
  resume(): Promise<void>;
}

export interface ThrowawayPostgresOptions {
  /** Keep fsync and synchronous commit on, so a crash loses no acknowledged commit. */
  durable?: boolean;
}

interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** Servers started here, stopped synchronously if Node exits without stop(). */
const started = new Map<string, { pid: number; watchdog: ChildProcess }>();
let exitHookInstalled = false;

/**
 * PostgreSQL for tests: `url` (default postgres://postgres@127.0.0.1:5432/test) when a server
 * answers there, otherwise a throwaway server from the machine's own binaries (initdb + pg_ctl)
 * on a free port, with trust auth and a temp data dir that stop() removes.
 */
export async function ensurePostgres(url: string = DEFAULT_DATABASE_URL): Promise<PostgresServer> {
  const probe = await probeDatabase(url);
  if (probe === 'ok') return { url, stop: async () => undefined };
  if (probe === 'no-database') {
    await createDatabase(url);
    return { url, stop: async () => undefined };
  }
  return startThrowawayServer(url);
}

/**
 * Always a throwaway server from the machine's binaries (initdb + pg_ctl), never a running one:
 * for specs that stop, crash and restart the database under the service.
 */
export function startPostgresServer(
  url: string = DEFAULT_DATABASE_URL,
  options: ThrowawayPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  return startThrowawayServer(url, options);
}

/** 'ok', 'no-database' (server answers, database missing) or 'unreachable'. */
async function probeDatabase(url: string): Promise<'ok' | 'no-database' | 'unreachable'> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code === '3D000' ? 'no-database' : 'unreachable';
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  } catch (error) {
    // Someone else created it meanwhile: that is what we wanted.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startThrowawayServer(requestedUrl: string, options: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const binDir = await findPostgresBinaries();
  // initdb refuses to run as root, so as root the server runs as the `postgres` OS user.
  const runAs = process.getuid?.() === 0 ? await osUser('postgres') : undefined;
  if (process.getuid?.() === 0 && !runAs) {
    throw new Error(
      'Cannot start a throwaway PostgreSQL: running as root and there is no `postgres` OS user ' +
        '(installing the postgresql package creates it), and initdb refuses to run as root.',
    );
  }

  await removeAbandonedTempDirs(TEMP_DIR_PREFIX, async (dir) => killServer(await postmasterPid(join(dir, 'data'))));
  const rootDir = await makeOwnedTempDir(TEMP_DIR_PREFIX);
  const dataDir = join(rootDir, 'data');
  const logFile = join(rootDir, 'postgres.log');
  if (runAs) await chown(rootDir, runAs.uid, runAs.gid);
  const port = await freePort();
  const run = (tool: string, args: string[]) => runTool(join(binDir, tool), args, runAs);
  const serverOptions = [
    `-p ${port}`,
    `-k ${rootDir}`,
    '-c listen_addresses=127.0.0.1',
    // Durability is pointless for a throwaway server, unless the spec crashes it on purpose.
    ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');

  let pid: number | undefined;
  const startServer = async () => {
    await run('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions, 'start']);
    pid = await postmasterPid(dataDir);
    if (!pid) throw new Error(`pg_ctl reported a start but ${dataDir}/postmaster.pid has no pid`);
    // pg_ctl daemonizes the server: without this it would outlive a SIGKILLed Node.
    started.set(rootDir, { pid, watchdog: killWhenParentDies(pid, 'QUIT') });
    installExitHook();
  };
  const stopServer = async (mode: 'fast' | 'immediate') => {
    await run('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']).catch(() => killServer(pid));
    started.get(rootDir)?.watchdog.kill('SIGKILL');
    started.delete(rootDir);
    pid = undefined;
  };

  try {
    await run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    await startServer();

    const url = new URL(requestedUrl);
    url.username = 'postgres';
    url.password = '';
    url.hostname = '127.0.0.1';
    url.port = String(port);
    if (databaseName(url.toString()) !== 'postgres') await createDatabase(url.toString());

    let removed = false;
    return {
      url: url.toString(),
      halt: stopServer,
      resume: startServer,
      stop: async () => {
        if (removed) return;
        removed = true;
        if (pid) await stopServer('fast');
        await rm(rootDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    killServer(pid);
    started.get(rootDir)?.watchdog.kill('SIGKILL');
    started.delete(rootDir);
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await rm(rootDir, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not start a throwaway PostgreSQL from ${binDir}: ${message}${log ? `\n${log.slice(-3000)}` : ''}`);
  }
}

/** Highest installed version's bin dir (Debian layout), else initdb/pg_ctl on PATH. */
async function findPostgresBinaries(): Promise<string> {
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  for (const version of versions) {
    const bin = join('/usr/lib/postgresql', version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  for (const bin of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  throw new Error(
    'No PostgreSQL server reachable and no PostgreSQL binaries (initdb, pg_ctl) to start one: ' +
      'install them (Debian: apt-get install postgresql) or set DATABASE_URL to a running server.',
  );
}

async function osUser(name: string): Promise<OsUser | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

function runTool(path: string, args: string[], runAs: OsUser | undefined): Promise<string> {
  const [command, commandArgs] = runAs ? ['runuser', ['-u', runAs.name, '--', path, ...args]] : [path, args];
  return new Promise((resolve, reject) => {
    // cwd: the postgres user may not be allowed into the caller's working directory.
    execFile(command, commandArgs, { cwd: tmpdir(), timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.split('/').pop()} failed: ${error.message}\n${stdout}${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

/** The pid of the server running from dataDir, if one is. */
async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number.parseInt(text.split('\n')[0], 10);
  if (!(pid > 0)) return undefined;
  // A stale postmaster.pid may name a recycled pid: only trust a postgres started on dataDir.
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (commandLine !== undefined && !commandLine.split('\0').includes(dataDir)) return undefined;
  return pid;
}

function killServer(pid: number | undefined): void {
  if (!pid) return;
  try {
    // SIGQUIT is PostgreSQL's immediate shutdown.
    process.kill(pid, 'SIGQUIT');
  } catch {
    // Already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [rootDir, { pid, watchdog }] of started) {
      watchdog.kill('SIGKILL');
      killServer(pid);
      rmSync(rootDir, { recursive: true, force: true });
    }
  });
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Double-quotes an SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
