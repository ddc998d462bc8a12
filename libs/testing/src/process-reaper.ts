import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Cleanup for servers and temp dirs whose owning Node process dies without running its exit
 * hooks: SIGKILL, e.g. jest force-killing a worker that did not finish in time.
 */

const OWNER_FILE = '.owner-pid';

/**
 * Signals `pid` once this Node process is gone, however it dies: a tiny shell blocks reading a
 * pipe from us, and the kernel closes the pipe when we exit. Kill the returned watchdog once
 * `pid` has stopped by other means, so that it never signals a recycled pid.
 */
export function killWhenParentDies(pid: number, signal: 'KILL' | 'TERM' | 'QUIT' = 'KILL'): ChildProcess {
  const watchdog = spawn('sh', ['-c', `read -r _; kill -${signal} "$0" 2>/dev/null`, String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined);
  // Neither the watchdog nor its pipe may keep Node alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

/**
 * killWhenParentDies for a child we spawned ourselves, its watchdog retired as soon as the child
 * exits. Returns the watchdog (undefined if the child never started).
 */
export function killChildWhenParentDies(child: ChildProcess, signal: 'KILL' | 'TERM' | 'QUIT' = 'KILL'): ChildProcess | undefined {
  if (child.pid === undefined) return undefined;
  const watchdog = killWhenParentDies(child.pid, signal);
  if (child.exitCode !== null || child.signalCode !== null) watchdog.kill('SIGKILL');
  else child.once('exit', () => watchdog.kill('SIGKILL'));
  return watchdog;
}

/** After a child exits, the longest wait for the rest of its output (a grandchild may keep its pipes open). */
const OUTPUT_DRAIN_MS = 1000;

/**
 * Sends `signal` (SIGTERM by default) and resolves once the child has exited and its output has
 * been read; SIGKILL if it is still running after `graceMs`, so that a shutdown that hangs cannot
 * hang the caller too.
 */
export async function stopChildProcess(
  child: ChildProcess,
  { signal = 'SIGTERM', graceMs = 15_000 }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  const running = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  if (!running()) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // 'close' follows 'exit' once the child's stdio has ended: its last log lines are in by then.
  const outputRead = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace over'>((resolve) => (timer = setTimeout(() => resolve('grace over'), graceMs)));
  const outcome = await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  if (outcome === 'grace over' && running()) {
    child.kill('SIGKILL');
    await exited;
  }
  let drainTimer: NodeJS.Timeout | undefined;
  await Promise.race([outputRead, new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, OUTPUT_DRAIN_MS)))]);
  clearTimeout(drainTimer);
}

/** mkdtemp in the OS temp dir, marked with our pid so a later run can tell it was abandoned. */
export async function makeOwnedTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

/**
 * Removes temp dirs made by makeOwnedTempDir(prefix) whose owner process no longer exists.
 * `beforeRemove` gets the chance to stop a server still running from such a dir.
 */
export async function removeAbandonedTempDirs(
  prefix: string,
  beforeRemove?: (dir: string) => Promise<void>,
): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const dir = join(tmpdir(), name);
    const owner = Number.parseInt(await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => ''), 10);
    if (!(owner > 0) || processAlive(owner)) continue;
    await beforeRemove?.(dir).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
