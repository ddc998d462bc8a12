import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killChildWhenParentDies, stopChildProcess } from '#libs/testing';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** `src/worker.ts` in a child process of its own, so a spec can SIGKILL it. */
export class WorkerProcess {
  private output = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk) => (this.output += chunk));
    child.stderr?.on('data', (chunk) => (this.output += chunk));
  }

  static start(env: Record<string, string>): WorkerProcess {
    const child = spawn(process.execPath, ['--import', './test/support/register-typescript.mjs', 'src/worker.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Dies with the test run, even when jest SIGKILLs a worker that overran.
    killChildWhenParentDies(child);
    return new WorkerProcess(child);
  }

  get logs(): string {
    return this.output;
  }

  /** Dies at once, mid-batch if it is in one: no shutdown hooks, no offset commits. */
  async kill(): Promise<void> {
    await stopChildProcess(this.child, { signal: 'SIGKILL' });
  }

  /** Freezes (SIGSTOP) or wakes (SIGCONT) the process: it keeps its connections but does nothing. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if its graceful shutdown has not finished within 15 s. */
  async stop(): Promise<void> {
    await stopChildProcess(this.child);
  }
}
