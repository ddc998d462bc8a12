import pg from 'pg';
import { freePort } from './free-port.js';
import { ensurePostgres, startPostgresServer, type PostgresServer } from './postgres-server.js';

async function select<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows[0];
  } finally {
    await client.end();
  }
}

describe('ensurePostgres', () => {
  let throwaway: PostgresServer | undefined;

  afterAll(async () => {
    await throwaway?.stop();
  });

  it('uses a server that is already reachable and leaves it running', async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set: jest global setup should have set it');
    const server = await ensurePostgres(url);
    expect(server.url).toBe(url);
    await server.stop();
    expect(await select(url, 'SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('starts a throwaway server from the local binaries when nothing answers, and removes it on stop()', async () => {
    const deadPort = await freePort();
    throwaway = await ensurePostgres(`postgres://postgres@127.0.0.1:${deadPort}/fallback_db`);
    const url = new URL(throwaway.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toBe('/fallback_db');
    const row = await select<{ db: string; port: number }>(
      throwaway.url,
      "SELECT current_database() AS db, current_setting('port')::int AS port",
    );
    expect(row).toEqual({ db: 'fallback_db', port: Number(url.port) });

    await throwaway.stop();
    throwaway = undefined;
    await expect(select(url.toString(), 'SELECT 1')).rejects.toThrow();
  });
});

describe('startPostgresServer', () => {
  it('crashes and restarts a durable server of its own, keeping every committed row', async () => {
    const server = await startPostgresServer(process.env.DATABASE_URL, { durable: true });
    try {
      expect(await select(server.url, "SELECT current_setting('synchronous_commit') AS sync")).toEqual({ sync: 'on' });
      await select(server.url, 'CREATE TABLE kept AS SELECT 42 AS answer');

      await server.halt('immediate');
      await expect(select(server.url, 'SELECT 1')).rejects.toThrow();

      await server.resume();
      expect(await select(server.url, 'SELECT answer FROM kept')).toEqual({ answer: 42 });
    } finally {
      await server.stop();
    }
  });
});
