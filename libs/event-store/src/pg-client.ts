import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** A named prepared statement: PostgreSQL parses and plans it once per connection, not per call. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * Runs on the pg connection of the caller's transaction (`manager`), or on a connection of
 * TypeORM's pg pool. Through the driver's client rather than TypeORM's `query()`, which cannot
 * send named statements (and costs a query runner per call on these hot paths).
 */
export async function withPgClient<T>(
  dataSource: DataSource,
  manager: EntityManager | undefined,
  run: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const inTransaction = manager?.queryRunner;
  if (inTransaction) return run((await inTransaction.connect()) as pg.PoolClient);
  const client = await poolOf(dataSource).connect();
  // The pool stops listening for a client's errors while it is lent out: a connection the server
  // drops (a restart, say) would raise an 'error' nobody handles and bring the process down.
  let lost: Error | undefined;
  const onError = (error: Error) => (lost = error);
  client.on('error', onError);
  try {
    return await run(client);
  } finally {
    client.removeListener('error', onError);
    // With an error, the pool drops the connection instead of lending it out again.
    client.release(lost);
  }
}

/** The pg Pool behind TypeORM's postgres driver (its `master`). */
const poolOf = (dataSource: DataSource): pg.Pool => (dataSource.driver as unknown as { master: pg.Pool }).master;

export async function queryPrepared<T extends pg.QueryResultRow>(
  dataSource: DataSource,
  statement: PreparedStatement | { text: string },
  values: unknown[],
  manager?: EntityManager,
): Promise<T[]> {
  return withPgClient(dataSource, manager, async (client) => (await sendQuery<T>(client, { ...statement, values })).rows);
}

/**
 * `client.query` in its callback form. Its promise form (pg 8.23), given the same statement, kept
 * each result alive long enough that every scavenge promoted a whole batch of rows to the old
 * generation: reading 200,000 events took 25 full collections instead of 1 and 2.5x the CPU per
 * event (bench:store, catch-up read).
 */
export function sendQuery<T extends pg.QueryResultRow>(
  client: pg.ClientBase,
  config: pg.QueryConfig,
): Promise<pg.QueryResult<T>> {
  return new Promise((resolve, reject) => {
    client.query<T>(config, (error, result) => (error ? reject(error) : resolve(result)));
  });
}
