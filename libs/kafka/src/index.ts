export * from './kafka.types.js';
export { isValidKafkaTopicName, KafkaClient, type KafkaClientOptions, type KafkaLogLevel } from './kafka-client.js';
export { KafkaProducer, type KafkaProducerOptions } from './kafka-producer.js';
export { DEFAULT_SESSION_TIMEOUT_MS, KafkaConsumer, type BatchHandler, type IncomingBatch, type KafkaConsumerOptions } from './kafka-consumer.js';
export { resetConsumerGroupOffsets } from './consumer-group-offsets.js';
export * from './cloud-event.mapper.js';
