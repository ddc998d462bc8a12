import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore } from '#libs/event-store';
import { KafkaClient } from '#libs/kafka';
import { LogFedProjection, type Projection } from '#libs/projections';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { topicOf, topicSpecs } from '../relay/kafka-topics.js';
import { KafkaFedProjection } from './kafka-fed-projection.js';
import { FED_FROM_THE_STORE, PROJECTIONS } from './projection-registry.js';
import { ReadModelChanges } from './read-model-changes.js';

interface RunningProjection {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Keeps every projection up to date: from Kafka (one consumer group per projection) when Kafka is
 * configured, otherwise straight from the store's log (embedded mode, or PostgreSQL without Kafka).
 * The scheduler's projection always reads the log (FED_FROM_THE_STORE).
 */
@Injectable()
export class ProjectionWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProjectionWorkers.name);
  private readonly running = new Map<string, RunningProjection>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(KafkaClient) private readonly kafka: KafkaClient | null,
    @Optional() private readonly changes?: ReadModelChanges,
  ) {}

  onApplicationBootstrap(): void {
    for (const projection of PROJECTIONS) {
      const feed = this.feedFor(projection);
      feed.start();
      this.running.set(projection.name, feed);
    }
    const fromKafka = PROJECTIONS.filter((projection) => this.fedFromKafka(projection)).map((projection) => projection.name);
    this.logger.log({
      msg: 'projections running',
      fromKafka,
      fromEventStoreLog: PROJECTIONS.map((projection) => projection.name).filter((name) => !fromKafka.includes(name)),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.running.values()].map((feed) => feed.stop()));
  }

  private fedFromKafka(projection: Projection): boolean {
    return Boolean(this.kafka && this.config.kafka) && !FED_FROM_THE_STORE.has(projection.name);
  }

  private feedFor(projection: Projection): RunningProjection {
    const onApplied = () => this.changes?.applied(projection.name);
    if (this.fedFromKafka(projection) && this.kafka && this.config.kafka) {
      const kafka = this.config.kafka;
      return new KafkaFedProjection(this.dataSource, this.kafka, projection, {
        groupId: `${kafka.groupPrefix}.projection.${projection.name}`,
        topics: topicSpecs(this.config).filter((topic) =>
          projection.streamTypes.some((streamType) => topicOf(this.config, streamType) === topic.name),
        ),
        logger: this.logger,
        sessionTimeoutMs: kafka.sessionTimeoutMs,
        onApplied,
      });
    }
    return new LogFedProjection(this.dataSource, this.store, projection, { ...this.config.projections, logger: this.logger, onApplied });
  }
}
