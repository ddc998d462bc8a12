import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../src/config/app-config.js';
import { MIGRATIONS } from '../src/database/migrations.js';
import { runMigrations } from '../src/database/run-migrations.js';
import { waitForDatabase } from '../src/database/wait-for-database.js';

/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL, under the same advisory lock as
 * start-up, for deployments that start the service with RUN_MIGRATIONS=false. (The embedded
 * database migrates itself when the service starts.)
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.database.url) throw new ConfigError({ DATABASE_URL: 'required: npm run migrate applies migrations to a PostgreSQL server' });
  await waitForDatabase(config.database.url, config.database.connectTimeoutMs);
  const dataSource = await new DataSource({ type: 'postgres', url: config.database.url, migrations: MIGRATIONS, extra: { max: 1 } }).initialize();
  try {
    const applied = await runMigrations(dataSource);
    process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'nothing to apply: the schema is current\n');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? String(error))}\n`);
  process.exit(1);
});
