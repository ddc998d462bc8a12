import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, killChildWhenParentDies, stopChildProcess } from '#libs/testing';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `src/main.ts` (the HTTP API) in a child process of its own, as `npm run start:api` runs it: for
 * specs that signal the process, read its stdout logs, or need what jest cannot load in-process.
 */
export class ApiProcess {
  private output = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk) => (this.output += chunk));
    child.stderr?.on('data', (chunk) => (this.output += chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  }

  /** Starts it and resolves once it listens. `args` go to main.ts (e.g. `--with-workers`). */
  static async start(env: Record<string, string>, args: string[] = []): Promise<ApiProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', './test/support/register-typescript.mjs', 'src/main.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Dies with the test run, even when jest SIGKILLs a worker that overran.
    killChildWhenParentDies(child);
    const api = new ApiProcess(child, `http://127.0.0.1:${port}`);
    try {
      await api.waitForLog(/Newsroom listening on/, 60_000);
    } catch (error) {
      await api.stop();
      throw error;
    }
    return api;
  }

  get logs(): string {
    return this.output;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The JSON log lines (pino) written so far. */
  jsonLogs(): Record<string, unknown>[] {
    return this.output.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  async waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the API process exited before logging ${pattern}:\n${this.output}`);
      }
      if (Date.now() > deadline) throw new Error(`no ${pattern} in the API's output after ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** How it ended: Nest re-raises the signal after its shutdown hooks, so a clean stop ends by SIGTERM. */
  waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if its graceful shutdown has not finished within 15 s. */
  async stop(): Promise<void> {
    await stopChildProcess(this.child);
  }
}
