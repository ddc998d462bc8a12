import { DataSource } from 'typeorm';
import { EVENT_STORE_MIGRATIONS } from '#libs/event-store';
import { createTestDatabase } from '#libs/testing';
import { CreateProjectionRunnerTables1764230200000 } from '../migrations/1764230200000-create-projection-runner-tables.js';

/** Test-only (not exported from the library). */
export interface RunnerTestDatabase {
  url: string;
  dataSource: DataSource;
  /** Closes the pool and drops the database. */
  close(): Promise<void>;
}

/** A fresh database with the event store and the projection runner's tables, for specs of projections and their feeders. */
export async function runnerTestDatabase({ maxConnections = 6 } = {}): Promise<RunnerTestDatabase> {
  const database = await createTestDatabase();
  const dataSource = await new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: [...EVENT_STORE_MIGRATIONS, CreateProjectionRunnerTables1764230200000],
    extra: { max: maxConnections },
  }).initialize();
  await dataSource.runMigrations();
  return {
    url: database.url,
    dataSource,
    async close() {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
