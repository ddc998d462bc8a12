import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromCloudEventMessage, type CloudEventEnvelope, type KafkaClient, type KafkaConsumer, type KafkaLogger } from '#libs/kafka';

/** Helpers for the specs that talk to the test run's Kafka broker (libs/kafka, libs/outbox-relay). */

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export function kafkaBrokersFromEnv(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set (the jest global setup starts a broker and sets it)');
  return brokers;
}

export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  envelope: CloudEventEnvelope<Record<string, unknown>>;
}

/** Reads topics from the beginning into `messages`, in each partition's offset order. */
export async function collectMessages(
  kafka: KafkaClient,
  topics: string[],
): Promise<{ messages: ReceivedMessage[]; consumer: KafkaConsumer }> {
  const messages: ReceivedMessage[] = [];
  const consumer = kafka.createConsumer({ groupId: uniqueName('test-reader'), topics, fromBeginning: true });
  await consumer.start(async (batch) => {
    for (const message of batch.messages) {
      messages.push({
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key: message.key?.toString('utf8') ?? null,
        headers: message.headers,
        envelope: fromCloudEventMessage(message),
      });
    }
  });
  return { messages, consumer };
}

/** Polls until `condition` holds; fails with `describe()` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${options.timeoutMs ?? 30_000} ms: ${options.describe?.() ?? 'condition not met'}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}

/** A logger that keeps what it is told, for assertions and for failure messages. */
export function memoryLogger(): KafkaLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, log: keep('log'), warn: keep('warn'), error: keep('error'), debug: keep('debug') };
}

/** The stream versions each article's messages arrived in, first delivery of each event id only. */
export function versionsByArticle(messages: readonly ReceivedMessage[]): Map<string, number[]> {
  const seen = new Set<string>();
  const byArticle = new Map<string, number[]>();
  for (const { envelope } of messages) {
    if (seen.has(envelope.id)) continue;
    seen.add(envelope.id);
    const versions = byArticle.get(envelope.subject) ?? [];
    versions.push(envelope.streamVersion);
    byArticle.set(envelope.subject, versions);
  }
  return byArticle;
}
