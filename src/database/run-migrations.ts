import { MigrationExecutor, type DataSource } from 'typeorm';

// Any fixed number works; it only has to be the same in every process.
const MIGRATION_LOCK_KEY = 7_361_522_001;

/**
 * Applies pending migrations under an advisory lock, so that several processes starting together
 * do not race. Lock and migrations share one connection (which also suits the one-connection
 * embedded database).
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const executed = await new MigrationExecutor(dataSource, runner).executePendingMigrations();
    return executed.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
