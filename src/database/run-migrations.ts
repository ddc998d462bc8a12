import { MigrationExecutor, type DataSource } from 'typeorm';
import { ConfigError } from '../config/app-config.js';

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

/**
 * With RUN_MIGRATIONS=false the schema is the deployment's job (`npm run migrate`): started on a
 * schema behind the code, the service would answer 500s ("relation ... does not exist"), so it
 * stops here instead, naming what is missing.
 */
export async function refusePendingMigrations(dataSource: DataSource): Promise<void> {
  const pending = await new MigrationExecutor(dataSource).getPendingMigrations();
  if (pending.length === 0) return;
  throw new ConfigError({
    RUN_MIGRATIONS: `false, and ${pending.length} migration(s) are pending: ${pending.map((migration) => migration.name).join(', ')}; run npm run migrate first (or start with RUN_MIGRATIONS=true)`,
  });
}
