import { Kafka, logLevel as KafkaJsLogLevel, type LogEntry, type logCreator } from 'kafkajs';
import { KafkaConsumer, type KafkaConsumerOptions } from './kafka-consumer.js';
import { attachKafkajs } from './kafkajs-handle.js';
import { KafkaProducer, type KafkaProducerOptions } from './kafka-producer.js';
import type { KafkaLogger, TopicSpec } from './kafka.types.js';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface KafkaClientOptions {
  /** host:port list, or one comma-separated string as in KAFKA_BROKERS. */
  brokers: readonly string[] | string;
  clientId: string;
  /** Where kafkajs logs go (its own console logger is never used). */
  logger?: KafkaLogger;
  /** kafkajs messages below this level are dropped; `warn` by default. */
  logLevel?: KafkaLogLevel;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * Retries of admin and consumer requests inside kafkajs before a call fails (default 5 attempts,
   * 200 ms doubling to 5 s): bounded, so a call against a dead cluster fails within seconds and the
   * caller's own retry loop takes over.
   */
  retry?: { retries?: number; initialRetryTimeMs?: number; maxRetryTimeMs?: number };
}

const LOG_LEVELS: Record<KafkaLogLevel, KafkaJsLogLevel> = {
  nothing: KafkaJsLogLevel.NOTHING,
  error: KafkaJsLogLevel.ERROR,
  warn: KafkaJsLogLevel.WARN,
  info: KafkaJsLogLevel.INFO,
  debug: KafkaJsLogLevel.DEBUG,
};

/**
 * The one place that builds kafkajs objects: admin work (topics) and factories for our producer
 * and consumer wrappers.
 */
export class KafkaClient {
  readonly brokers: readonly string[];
  readonly clientId: string;
  private readonly kafka: Kafka;
  private readonly logger?: KafkaLogger;
  /** Partition-count mismatches already reported: every consumer and the relay ensure the same topics. */
  private readonly reportedMismatches = new Set<string>();

  constructor(options: KafkaClientOptions) {
    const brokers = typeof options.brokers === 'string' ? options.brokers.split(',') : [...options.brokers];
    this.brokers = brokers.map((broker) => broker.trim()).filter(Boolean);
    if (this.brokers.length === 0) throw new Error('KafkaClient: no brokers given');
    if (!options.clientId) throw new Error('KafkaClient: clientId is required');
    this.clientId = options.clientId;
    this.logger = options.logger;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...this.brokers],
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      retry: {
        retries: options.retry?.retries ?? 5,
        initialRetryTime: options.retry?.initialRetryTimeMs ?? 200,
        maxRetryTime: options.retry?.maxRetryTimeMs ?? 5000,
      },
      logLevel: LOG_LEVELS[options.logLevel ?? 'warn'],
      logCreator: routeLogsTo(options.logger),
    });
    attachKafkajs(this, this.kafka);
  }

  /**
   * Creates the topics that do not exist yet; existing ones are left as they are (a different
   * partition count is only reported: adding partitions would move keys and break per-article
   * order). Safe to call from several processes at once. Returns the names that were missing.
   */
  async ensureTopics(topics: readonly TopicSpec[]): Promise<string[]> {
    for (const topic of topics) validateTopicSpec(topic);
    if (topics.length === 0) return [];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic.name));
      if (missing.length > 0) {
        // Returns false (no throw) when another process created them first.
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic: topic.name,
            numPartitions: topic.partitions,
            replicationFactor: topic.replicationFactor,
            configEntries: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      }
      const present = topics.filter((topic) => existing.has(topic.name));
      if (present.length > 0) {
        const counts = await partitionCounts(admin, present.map((topic) => topic.name));
        for (const topic of present) {
          const actual = counts[topic.name];
          const mismatch = `${topic.name}:${actual}:${topic.partitions}`;
          if (actual !== topic.partitions && !this.reportedMismatches.has(mismatch)) {
            this.reportedMismatches.add(mismatch);
            this.logger?.warn(
              `Kafka topic ${topic.name} has ${actual} partitions, configured ${topic.partitions}: left unchanged`,
            );
          }
        }
      }
      return missing.map((topic) => topic.name);
    } finally {
      await admin.disconnect();
    }
  }

  /** Partition count of each existing topic among `names` (missing topics are absent). */
  async topicPartitionCounts(names: readonly string[]): Promise<Record<string, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      // Only ask metadata for topics that exist: a metadata request may auto-create a topic.
      const existing = new Set(await admin.listTopics());
      return await partitionCounts(admin, names.filter((name) => existing.has(name)));
    } finally {
      await admin.disconnect();
    }
  }

  createProducer(options: KafkaProducerOptions = {}): KafkaProducer {
    return new KafkaProducer(this, options);
  }

  createConsumer(options: KafkaConsumerOptions): KafkaConsumer {
    return new KafkaConsumer(this, options);
  }
}

async function partitionCounts(admin: ReturnType<Kafka['admin']>, names: string[]): Promise<Record<string, number>> {
  if (names.length === 0) return {};
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  return Object.fromEntries(topics.map((topic) => [topic.name, topic.partitions.length]));
}

/** Kafka's own rule for topic names (it also refuses "." and ".."). */
export const isValidKafkaTopicName = (name: string): boolean => /^(?!\.{1,2}$)[a-zA-Z0-9._-]{1,249}$/.test(name);

function validateTopicSpec(topic: TopicSpec): void {
  if (!isValidKafkaTopicName(topic.name)) throw new Error(`invalid Kafka topic name "${topic.name}"`);
  if (!Number.isInteger(topic.partitions) || topic.partitions < 1) {
    throw new Error(`topic ${topic.name}: partitions must be a positive integer, got ${topic.partitions}`);
  }
  if (!Number.isInteger(topic.replicationFactor) || topic.replicationFactor < 1) {
    const factor = topic.replicationFactor;
    throw new Error(`topic ${topic.name}: replicationFactor must be a positive integer, got ${factor}`);
  }
}

/**
 * kafkajs reports every failed attempt here before retrying it, and the caller that finally fails
 * logs that once, so these go to debug (a broker outage would otherwise log lines by the dozen).
 * Also here: the Producer's warning about bounded retries, which KafkaProducer bounds on purpose.
 */
const PER_ATTEMPT_NAMESPACES = new Set(['Connection', 'BrokerPool', 'Producer']);

/** What kafkajs reports as an error but is routine: a group rebalancing as members join and leave. */
const ROUTINE_MESSAGES = [/^The group is rebalancing, re-joining$/];

/** kafkajs log entries to our logger: errors and warnings as warnings (but see above), rebalances as info, the rest as debug. */
export function routeLogsTo(logger: KafkaLogger | undefined): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      if (!logger) return;
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      const text = `kafkajs ${namespace}: ${message}${describeExtra(extra)}`;
      // What kafkajs calls an error it mostly retries itself; the caller decides what is an error.
      const important = level === KafkaJsLogLevel.ERROR || level === KafkaJsLogLevel.WARN;
      if (ROUTINE_MESSAGES.some((routine) => routine.test(message))) logger.log(text);
      else if (important && !PER_ATTEMPT_NAMESPACES.has(namespace)) logger.warn(text);
      else logger.debug?.(text);
    };
}

function describeExtra(extra: Record<string, unknown>): string {
  const entries = Object.entries(extra)
    .filter(([key, value]) => value !== undefined && key !== 'stack')
    .map(([key, value]) => [key, value instanceof Error ? `${value.name}: ${value.message}` : value]);
  if (entries.length === 0) return '';
  try {
    return ` ${JSON.stringify(Object.fromEntries(entries))}`;
  } catch {
    return '';
  }
}
