import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { processAlive, stopChildProcess } from './process-reaper.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const reaper = new URL('./process-reaper.ts', import.meta.url).href;

/** Alive and not a zombie waiting for whoever adopted it to reap it. */
function running(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** A node child running `code`, resolved once it printed its first line (its handlers are set up). */
async function nodeChild(code: string, args: string[] = []): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn(process.execPath, [...args, '-e', code], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('\n')) resolve(output.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before printing a line`)));
  });
  return { child, firstLine };
}

describe('stopChildProcess', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('stops a child with SIGTERM and resolves once it has exited', async () => {
    const { child } = await nodeChild(`console.log('ready'); setInterval(() => {}, 1000)`);
    children.push(child);
    await stopChildProcess(child);
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('falls back to SIGKILL when the child is still running after the grace period', async () => {
    const { child } = await nodeChild(`process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)`);
    children.push(child);
    const started = Date.now();
    await stopChildProcess(child, { graceMs: 300 });
    expect(child.signalCode).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('does nothing for a child that has already exited', async () => {
    const { child } = await nodeChild(`console.log('ready')`);
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
    await expect(stopChildProcess(child)).resolves.toBeUndefined();
  });
});

describe('killChildWhenParentDies', () => {
  it('kills the child when its parent is SIGKILLed, which runs no exit hooks', async () => {
    const { child: parent, firstLine } = await nodeChild(
      `import { spawn } from 'node:child_process';
       import { killChildWhenParentDies } from '${reaper}';
       const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
       killChildWhenParentDies(child);
       console.log(child.pid);
       setInterval(() => {}, 1000);`,
      ['--import', './test/support/register-typescript.mjs', '--input-type=module'],
    );
    const grandchild = Number(firstLine);
    try {
      expect(running(grandchild)).toBe(true);
      parent.kill('SIGKILL');
      expect(await until(() => !running(grandchild), 10_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      if (running(grandchild)) process.kill(grandchild, 'SIGKILL');
    }
  });
});
