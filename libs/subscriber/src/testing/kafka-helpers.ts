import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaLogger } from '#libs/kafka';

/** Test-only helpers for the subscriber specs and the example's spec (not exported from the library). */

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Polls until `condition` holds; fails with `describe()` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => string } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${options.describe?.() ?? 'condition not met'}`);
    await sleep(options.intervalMs ?? 50);
  }
}

/** A logger that keeps what it is told, for assertions. */
export function memoryLogger(): KafkaLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, log: keep('log'), warn: keep('warn'), error: keep('error'), debug: keep('debug') };
}
