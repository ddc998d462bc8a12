import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdentifier } from './postgres-server.js';

export interface TestDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops the database, closing whatever connections are still open to it. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * A uniquely named empty database (<prefix>_<random>) on the server of `baseUrl`, so that
 * test files (and benchmarks) running in parallel never see each other's tables or rows.
 */
export async function createTestDatabase(baseUrl = process.env.DATABASE_URL, prefix = 'newsroom_t'): Promise<TestDatabase> {
  if (!baseUrl) {
    throw new Error('createTestDatabase: no server URL: pass one or set DATABASE_URL (jest global setup does)');
  }
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onServer(baseUrl, `CREATE DATABASE ${quoteIdentifier(name)}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      if (dropped) return;
      // FORCE: a pool a test forgot to close must not keep the database alive.
      await onServer(baseUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
      dropped = true;
    },
  };
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
