import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore } from '#libs/event-store';
import { LogFedProjection } from '#libs/projections';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PROJECTIONS } from './projection-registry.js';

interface RunningProjection {
  name: string;
  stop(): Promise<void>;
}

/**
 * Keeps every projection up to date: from Kafka (one consumer group per projection) when Kafka is
 * configured, otherwise straight from the store's log (embedded mode).
 */
@Injectable()
export class ProjectionWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProjectionWorkers.name);
  private readonly running: RunningProjection[] = [];
  readonly logFed = new Map<string, LogFedProjection>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const projection of PROJECTIONS) {
      const feed = new LogFedProjection(this.dataSource, this.store, projection, {
        ...this.config.projections,
        logger: this.logger,
      });
      feed.start();
      this.logFed.set(projection.name, feed);
      this.running.push({ name: projection.name, stop: () => feed.stop() });
    }
    this.logger.log({ msg: 'projections running', source: 'event store log', projections: PROJECTIONS.map((p) => p.name) });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.running.map((projection) => projection.stop()));
  }
}
