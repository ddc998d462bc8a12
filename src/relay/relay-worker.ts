import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ARTICLE_CLOUD_EVENT_TYPES,
  ARTICLE_STREAM_TYPE,
  REACTION_CLOUD_EVENT_TYPES,
  REACTION_STREAM_TYPE,
} from '#libs/contracts';
import { KafkaClient } from '#libs/kafka';
import { OutboxRelay, routeByStreamType } from '#libs/outbox-relay';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { topicOf, topicSpecs } from './kafka-topics.js';

/**
 * Publishes the store's log to Kafka. Every worker runs one; the PostgreSQL advisory lock lets
 * exactly one publish at a time, the others stand by.
 */
@Injectable()
export class RelayWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly relay: OutboxRelay | null;

  constructor(
    dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(KafkaClient) kafka: KafkaClient | null,
  ) {
    this.relay =
      config.kafka && kafka
        ? new OutboxRelay({
            dataSource,
            kafka,
            route: routeByStreamType({
              [ARTICLE_STREAM_TYPE]: { topic: topicOf(config, ARTICLE_STREAM_TYPE), ceTypes: ARTICLE_CLOUD_EVENT_TYPES },
              [REACTION_STREAM_TYPE]: { topic: topicOf(config, REACTION_STREAM_TYPE), ceTypes: REACTION_CLOUD_EVENT_TYPES },
            }),
            topics: topicSpecs(config),
            source: config.kafka.cloudEventsSource,
            batchSize: config.relay.batchSize,
            pollIntervalMs: config.relay.pollMs,
            lockSessionTimeoutMs: config.relay.lockSessionTimeoutMs,
            // Counted one past the readiness limit, so a lag over it always shows.
            lagCap: Math.max(100_000, config.operations.maxRelayLagEvents + 1),
            logger: new Logger('OutboxRelay'),
          })
        : null;
  }

  onApplicationBootstrap(): void {
    this.relay?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}
