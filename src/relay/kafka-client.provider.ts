import { Logger, type Provider } from '@nestjs/common';
import { KafkaClient } from '#libs/kafka';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

/** The Kafka client of a worker process; null when no KAFKA_BROKERS are configured. */
export const kafkaClientProvider: Provider = {
  provide: KafkaClient,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): KafkaClient | null =>
    config.kafka
      ? new KafkaClient({ brokers: config.kafka.brokers, clientId: config.kafka.clientId, logger: new Logger('Kafka') })
      : null,
};
