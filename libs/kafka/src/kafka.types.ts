/**
 * Our own vocabulary for Kafka, so that nothing outside libs/kafka depends on kafkajs types
 * (kafkajs is unmaintained; swapping it must stay a change inside this folder).
 */

/** Nest's LoggerService fits this shape, as do pino-style adapters. */
export interface KafkaLogger {
  log(message: string, ...optionalParams: unknown[]): void;
  warn(message: string, ...optionalParams: unknown[]): void;
  error(message: string, ...optionalParams: unknown[]): void;
  debug?(message: string, ...optionalParams: unknown[]): void;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Topic-level configs, e.g. { 'retention.ms': '-1' }; applied only when the topic is created. */
  configs?: Record<string, string>;
}

/** A message to produce. Header values are strings (CloudEvents binary mode headers are text). */
export interface OutgoingMessage {
  key: string;
  value: string | Buffer;
  headers: Record<string, string>;
}

export interface TopicMessages {
  topic: string;
  messages: OutgoingMessage[];
}

/** What the broker acknowledged for one partition of a send. */
export interface ProducedPartition {
  topic: string;
  partition: number;
  /** Offset of the first message written to this partition by the send, as a decimal string. */
  baseOffset: string;
}

/** A consumed message. Headers are decoded as UTF-8; a repeated header keeps its last value. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Decimal string: offsets are int64. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker or producer timestamp, milliseconds since the epoch as a string. */
  timestamp: string;
}
