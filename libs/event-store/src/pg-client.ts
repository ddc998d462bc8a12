import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** A named prepared statement: PostgreSQL parses and plans it once per connection, not per call. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * Runs on the pg connection of the caller's transaction (`manager`), or on one of the pool's.
 * Through the driver's client rather than TypeORM's `query()`, which cannot send named statements.
 */
export async function withPgClient<T>(
  dataSource: DataSource,
  manager: EntityManager | undefined,
  run: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const inTransaction = manager?.queryRunner;
  const runner = inTransaction ?? dataSource.createQueryRunner();
  try {
    return await run((await runner.connect()) as pg.PoolClient);
  } finally {
    if (!inTransaction) await runner.release();
  }
}

export async function queryPrepared<T extends pg.QueryResultRow>(
  dataSource: DataSource,
  statement: PreparedStatement | { text: string },
  values: unknown[],
  manager?: EntityManager,
): Promise<T[]> {
  return withPgClient(dataSource, manager, async (client) => (await client.query<T>({ ...statement, values })).rows);
}
