import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventStore } from '#libs/event-store';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { MIGRATIONS } from './migrations.js';
import { refusePendingMigrations, runMigrations } from './run-migrations.js';
import { waitForDatabase } from './wait-for-database.js';

/** Where the database is: the configured server, or PGlite started in this process. */
@Injectable()
export class DatabaseServer implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseServer.name);
  private embedded?: EmbeddedPostgres;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The configured server, or PGlite, started on the first call. */
  async url(): Promise<string> {
    if (this.config.database.url) return this.config.database.url;
    if (!this.embedded) {
      this.embedded = await EmbeddedPostgres.start(this.config.database.embeddedDataDir);
      this.logger.log(`embedded PostgreSQL (PGlite) with data in ${this.config.database.embeddedDataDir}`);
    }
    return this.embedded.url;
  }

  /** Whether url() started PGlite (false until it has been asked). */
  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  /**
   * Nest shuts the global TypeORM module down last, after this one: the pool is closed here
   * first, so that its connections end cleanly instead of finding the embedded server gone.
   */
  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.embedded.stop();
  }
}

@Module({ providers: [DatabaseServer], exports: [DatabaseServer] })
class DatabaseServerModule {}

/** The database for the whole application: TypeORM's DataSource (migrated at start) and the event store. */
@Global()
@Module({
  imports: [
    DatabaseServerModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [APP_CONFIG, DatabaseServer],
      useFactory: async (config: AppConfig, server: DatabaseServer) => {
        // A server still starting gets time; one that cannot be reached stops start-up naming DATABASE_URL.
        if (config.database.url) await waitForDatabase(config.database.url, config.database.connectTimeoutMs);
        // First: it starts PGlite when no server is configured, and isEmbedded below depends on it.
        const url = await server.url();
        return {
          type: 'postgres' as const,
          url,
          autoLoadEntities: true,
          migrations: MIGRATIONS,
          // Carries RUN_MIGRATIONS to dataSourceFactory below, which runs them under an advisory lock
          // (or, when false, refuses pending ones); TypeORM itself never does (it gets migrationsRun: false).
          migrationsRun: config.database.runMigrations,
          synchronize: false,
          // waitForDatabase has done the waiting: Nest's own retries (10 x 3 s, each logged with a
          // stack) would only repeat a failure, a pending migration's too.
          toRetry: () => false,
          extra: {
            // PGlite runs one transaction at a time, so its pool holds exactly one connection.
            max: server.isEmbedded ? 1 : config.database.poolSize,
            // Without it a request waits forever for a pool that is used up or a server that never answers.
            connectionTimeoutMillis: config.database.connectTimeoutMs,
            // A transaction of ours left open by a bug would hold back the relay and the log readers
            // for good; the server ends it instead. (PGlite runs no such timers.)
            ...(server.isEmbedded || config.database.idleInTransactionTimeoutMs === 0
              ? {}
              : { idle_in_transaction_session_timeout: config.database.idleInTransactionTimeoutMs }),
          },
        };
      },
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource({ ...options!, migrationsRun: false }).initialize();
        try {
          if (options!.migrationsRun) await runMigrations(dataSource);
          else await refusePendingMigrations(dataSource);
        } catch (error) {
          await dataSource.destroy();
          throw error;
        }
        return dataSource;
      },
    }),
  ],
  providers: [{ provide: EventStore, inject: [DataSource], useFactory: (dataSource: DataSource) => new EventStore(dataSource) }],
  exports: [EventStore, DatabaseServerModule],
})
export class DatabaseModule {}
