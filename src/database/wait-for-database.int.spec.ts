import { connect, createServer, type Server } from 'node:net';
import { freePort } from '#libs/testing';
import { ConfigError } from '../config/app-config.js';
import { waitForDatabase, withoutPassword } from './wait-for-database.js';

/** The test run's PostgreSQL with some parts of its URL replaced. */
function serverUrl(change: (url: URL) => void): string {
  const url = new URL(process.env.DATABASE_URL!);
  change(url);
  return url.toString();
}

async function failureOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems.DATABASE_URL;
}

describe('waitForDatabase', () => {
  it('stops at once on an unknown database or role, naming the URL without its password', async () => {
    const startedAt = Date.now();
    const unknownDatabase = await failureOf(waitForDatabase(serverUrl((url) => (url.pathname = '/no_such_database')), 2000));
    expect(unknownDatabase).toMatch(/^cannot connect to postgres:\/\/.*\/no_such_database: database "no_such_database" does not exist$/);

    const unknownRole = await failureOf(
      waitForDatabase(
        serverUrl((url) => {
          url.username = 'no_such_role';
          url.password = 'hunter2';
        }),
        2000,
      ),
    );
    expect(unknownRole).toContain('no_such_role:***@');
    expect(unknownRole).toContain('role "no_such_role" does not exist');
    expect(unknownRole).not.toContain('hunter2');
    // Neither waited for a server to start.
    expect(Date.now() - startedAt).toBeLessThan(1500);
  });

  it('waits for a server that refuses connections while it starts, then gives up naming the reason', async () => {
    const port = await freePort();
    const refused = serverUrl((url) => (url.port = String(port)));
    const startedAt = Date.now();
    expect(await failureOf(waitForDatabase(refused, 2000, 2500))).toMatch(new RegExp(`:${port}/.*: connect ECONNREFUSED`));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1500);

    // The server comes up during the wait (a proxy to the real one, opened a second later).
    let proxy: Server | undefined;
    const opening = setTimeout(() => {
      const target = new URL(process.env.DATABASE_URL!);
      proxy = createServer((socket) => socket.pipe(connect(Number(target.port || 5432), target.hostname)).pipe(socket)).listen(port, '127.0.0.1');
    }, 1000);
    try {
      await waitForDatabase(refused, 2000, 10_000);
    } finally {
      clearTimeout(opening);
      await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
    }
  });

  it('waits for a port that takes connections and closes them (a container port, a pooler, before PostgreSQL is up)', async () => {
    const port = await freePort();
    const closing = createServer((socket) => socket.destroy());
    await new Promise((resolve) => closing.listen(port, '127.0.0.1', () => resolve(undefined)));
    try {
      const startedAt = Date.now();
      const url = serverUrl((url) => (url.port = String(port)));
      expect(await failureOf(waitForDatabase(url, 2000, 2500))).toMatch(/Connection terminated/);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1500);
    } finally {
      await new Promise((resolve) => closing.close(resolve));
    }
  });

  it('hides a password given as user:password@ or ?password=', () => {
    expect(withoutPassword('postgres://app:s3cret@db:5432/news')).toBe('postgres://app:***@db:5432/news');
    expect(withoutPassword('postgres://app@db/news?password=s3cret&sslmode=require')).toBe('postgres://app@db/news?password=***&sslmode=require');
    expect(withoutPassword('postgres://app@db/news')).toBe('postgres://app@db/news');
  });
});
