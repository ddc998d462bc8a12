import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ARTICLE_CLOUD_EVENT_TYPES, ARTICLE_STREAM_TYPE, articleStreamId } from '#libs/contracts';
import { EVENT_STORE_MIGRATIONS, EventStore, type EventMetadata } from '#libs/event-store';
import { createTestDatabase } from '#libs/testing';
import { fromCloudEventMessage, type CloudEventEnvelope } from '../cloud-event.mapper.js';
import type { KafkaClient } from '../kafka-client.js';
import type { KafkaConsumer } from '../kafka-consumer.js';
import type { KafkaLogger } from '../kafka.types.js';
import { CreateRelayCheckpoints1764230100000 } from '../migrations/1764230100000-create-relay-checkpoints.js';

/** Test-only helpers for the specs in libs/kafka (not exported from the library). */

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

export function kafkaBrokersFromEnv(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set (the jest global setup starts a broker and sets it)');
  return brokers;
}

export interface TestStore {
  dataSource: DataSource;
  store: EventStore;
  close(): Promise<void>;
}

/** A fresh database with the event store and relay checkpoint migrations applied. */
export async function createTestStore(): Promise<TestStore> {
  const database = await createTestDatabase();
  const dataSource = new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: [...EVENT_STORE_MIGRATIONS, CreateRelayCheckpoints1764230100000],
    extra: { max: 20 },
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return {
    dataSource,
    store: new EventStore(dataSource),
    close: async () => {
      await dataSource.destroy().catch(() => undefined);
      await database.drop();
    },
  };
}

const metadata: EventMetadata = { actor: { sub: 'alice', name: 'Alice Chen', roles: ['reporter', 'editor'] } };
const ARTICLE_EVENT_TYPES = Object.keys(ARTICLE_CLOUD_EVENT_TYPES);

/** Appends `count` events to an article stream whose next version is `fromVersion + 1`. */
/** Events on the article's stream (`article-<id>`, as the service names it): stream id and article id differ. */
export async function appendArticleEvents(store: EventStore, articleId: string, fromVersion: number, count = 1) {
  return store.appendToStream(
    articleStreamId(articleId),
    Array.from({ length: count }, (_, i) => ({
      type: ARTICLE_EVENT_TYPES[(fromVersion + i) % ARTICLE_EVENT_TYPES.length],
      data: { articleId, n: fromVersion + i + 1, note: `event ${fromVersion + i + 1} of ${articleId}` },
    })),
    { streamType: ARTICLE_STREAM_TYPE, expectedVersion: fromVersion, metadata },
  );
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
