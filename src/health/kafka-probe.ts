import { Inject, Injectable } from '@nestjs/common';
import { KafkaClient } from '#libs/kafka';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

export interface KafkaProbeResult {
  brokers: readonly string[];
  /** Partitions of each of our topics; a topic missing here is created by the first worker. */
  topics: Record<string, number>;
}

/**
 * Asks the cluster for our topics' metadata: one connection, two small requests. It has a client
 * of its own without retries and with short timeouts, so an unreachable broker answers "down"
 * quickly instead of after kafkajs's retry schedule.
 */
@Injectable()
export class KafkaProbe {
  private readonly client: KafkaClient | null;
  private readonly topics: string[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const kafka = config.kafka;
    const timeoutMs = config.operations.readyCheckTimeoutMs;
    this.topics = kafka ? [kafka.topics.articles, kafka.topics.reactions] : [];
    this.client = kafka
      ? new KafkaClient({
          brokers: kafka.brokers,
          clientId: `${kafka.clientId}-health`,
          connectionTimeoutMs: Math.min(1000, timeoutMs),
          requestTimeoutMs: timeoutMs,
          retry: { retries: 0 },
          // The readiness answer carries the error; logging every probe would only repeat it.
          logLevel: 'nothing',
        })
      : null;
  }

  get configured(): boolean {
    return this.client !== null;
  }

  async probe(): Promise<KafkaProbeResult> {
    if (!this.client) throw new Error('Kafka is not configured');
    return { brokers: this.client.brokers, topics: await this.client.topicPartitionCounts(this.topics) };
  }
}
