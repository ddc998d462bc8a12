import { DataSource } from 'typeorm';
import type { ProjectedEvent, Projection } from '#libs/projections';
import { createTestDatabase } from '#libs/testing';
import { MIGRATIONS } from '../../src/database/migrations.js';

export interface ProjectionDatabase {
  dataSource: DataSource;
  /**
   * Runs the projection's apply on a batch in one transaction, as the runner does. `tables` maps
   * logical to physical names (as during a rebuild); a table the projection does not declare fails.
   */
  apply(projection: Projection, events: readonly ProjectedEvent[], tables?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** A fresh PostgreSQL database with every migration of the application applied. */
export async function projectionDatabase(): Promise<ProjectionDatabase> {
  const database = await createTestDatabase();
  const dataSource = await new DataSource({ type: 'postgres', url: database.url, migrations: MIGRATIONS }).initialize();
  await dataSource.runMigrations();
  return {
    dataSource,
    apply: (projection, events, tables = {}) =>
      dataSource.transaction((tx) =>
        projection.apply(events, {
          query: (sql, params) => tx.query(sql, params),
          table: (name) => {
            if (!projection.tables.includes(name)) throw new Error(`${projection.name} does not declare the table ${name}`);
            return tables[name] ?? name;
          },
        }),
      ),
    async close() {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
