import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { isDatabaseUnavailable } from '#libs/event-store';
import { ConfigError } from '../config/app-config.js';

/**
 * How long start-up waits for a server that is still starting: PostgreSQL in a fresh container
 * takes a few seconds (longer on its first start), and an orchestrator restarts a process that
 * gave up anyway. A wrong port looks the same (connection refused), so it costs this long too.
 */
export const DATABASE_START_WAIT_MS = 20_000;
const RETRY_EVERY_MS = 1000;

/**
 * A server that is not up yet looks unavailable, as an outage does (isDatabaseUnavailable: nothing
 * listens, it resets or closes the connection, it is starting up, no slot is free, no answer in
 * time). An unknown host, database or role, or a wrong password, is a setting to fix: no retry.
 */
const isStarting = (error: Error & { code?: string }) => error.code !== 'ENOTFOUND' && isDatabaseUnavailable(error);

/**
 * Waits until DATABASE_URL takes a connection, for up to `waitMs` while the server is still
 * starting; a failure stops start-up with one line naming DATABASE_URL (without its password).
 */
export async function waitForDatabase(url: string, connectTimeoutMs: number, waitMs = DATABASE_START_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      const reason = reasonOf(error as Error);
      if (!isStarting(error as Error) || Date.now() + RETRY_EVERY_MS > deadline) {
        throw new ConfigError({ DATABASE_URL: `cannot connect to ${withoutPassword(url)}: ${reason}` });
      }
      // One line, not one a second: the final failure says the rest.
      if (attempt === 1) new Logger('Database').warn(`cannot connect to ${withoutPassword(url)} (${reason}): trying every second for up to ${waitMs / 1000} s`);
      await sleep(RETRY_EVERY_MS);
    }
  }
}

/** Node reports a refused connection to every address of a name as an AggregateError with no message. */
function reasonOf(error: Error & { code?: string; errors?: Error[] }): string {
  return error.message || error.errors?.map((each) => each.message).join('; ') || error.code || String(error);
}

/** For messages and logs: a password in the URL (user:password@, or ?password=) as ***. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password && !parsed.searchParams.has('password')) return url;
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}
