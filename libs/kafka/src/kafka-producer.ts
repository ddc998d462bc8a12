import { Partitioners, type Producer } from 'kafkajs';
import type { KafkaClient } from './kafka-client.js';
import { kafkajsOf } from './kafkajs-handle.js';
import type { ProducedPartition, TopicMessages } from './kafka.types.js';

export interface KafkaProducerOptions {
  /**
   * Attempts kafkajs makes inside one send before the send fails (default 5). Bounded on purpose:
   * callers retry the same send themselves, so a send never hangs for minutes while a broker is down.
   */
  retries?: number;
  initialRetryTimeMs?: number;
  maxRetryTimeMs?: number;
  /** Broker-side wait for the in-sync replicas' acknowledgement (default 30 s). */
  ackTimeoutMs?: number;
}

/**
 * Idempotent producer: acks from all in-sync replicas, one request in flight per broker, and
 * producer id + sequence numbers so the broker drops a retried batch it already wrote. Together
 * these keep each partition in send order across retries.
 *
 * Keys are partitioned with the Java client's murmur2 partitioner, so other languages' producers
 * put the same article on the same partition.
 */
export class KafkaProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    client: KafkaClient,
    private readonly options: KafkaProducerOptions = {},
  ) {
    this.producer = kafkajsOf(client).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: {
        retries: options.retries ?? 5,
        initialRetryTime: options.initialRetryTimeMs ?? 200,
        maxRetryTime: options.maxRetryTimeMs ?? 3000,
      },
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }

  /**
   * Sends messages for any number of topics in one call and resolves once the broker has
   * acknowledged all of them (acks = all). Rejects when kafkajs gives up; nothing is then known
   * about which partitions were written, so the caller re-sends the same messages.
   */
  async sendBatch(topicMessages: readonly TopicMessages[]): Promise<ProducedPartition[]> {
    const metadata = await this.producer.sendBatch({
      acks: -1,
      timeout: this.options.ackTimeoutMs ?? 30_000,
      topicMessages: topicMessages.map(({ topic, messages }) => ({
        topic,
        messages: messages.map(({ key, value, headers }) => ({ key, value, headers })),
      })),
    });
    return metadata.map((entry) => ({
      topic: entry.topicName,
      partition: entry.partition,
      baseOffset: entry.baseOffset ?? entry.offset ?? '-1',
    }));
  }
}
