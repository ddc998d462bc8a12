import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nestjs/common';
// Only to stand for a foreign member of the group (as a Java consumer would be); the code under
// test reaches Kafka through #libs/kafka alone.
import { Kafka, logLevel, PartitionAssigners, type PartitionAssigner } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { ARTICLE_CLOUD_EVENT_TYPES, ARTICLE_STREAM_TYPE } from '#libs/contracts';
import { EventStore } from '#libs/event-store';
import { KafkaClient, toCloudEventMessage, type KafkaLogger } from '#libs/kafka';
import type { Projection } from '#libs/projections';
import { freePort, switchableBootstrap, waitFor } from '#libs/testing';
import { KafkaFedProjection } from './kafka-fed-projection.js';
import { countPerArticle, createArticleCountsTables } from '../../libs/projections/src/testing/article-counts.js';
import { runnerTestDatabase, type RunnerTestDatabase } from '../../libs/projections/src/testing/runner-database.js';

/** Counts the events applied per article. */
const counting: Projection = {
  name: 'kafka-fed-spec',
  streamTypes: [ARTICLE_STREAM_TYPE],
  tables: ['kafka_fed_spec_counts'],
  async apply(events, context) {
    await countPerArticle(events, context, 'kafka_fed_spec_counts');
  },
};

const brokersFromEnv = (): string => {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set');
  return brokers;
};

const unique = (prefix: string): string => `${prefix}-${Math.random().toString(16).slice(2, 10)}`;

/** Log lines as text, for assertions and failure messages (Nest's Logger and the Kafka logger). */
function memoryLogger(): { lines: string[]; nest: Logger; kafka: KafkaLogger } {
  const lines: string[] = [];
  const text = (entry: unknown): string =>
    typeof entry === 'string'
      ? entry
      : JSON.stringify(entry, (_key, value: unknown) => (value instanceof Error ? `${value.name}: ${value.message}` : value));
  const keep = (level: string) => (entry: unknown) => void lines.push(`${level} ${text(entry)}`);
  const sink = { log: keep('log'), warn: keep('warn'), error: keep('error'), debug: keep('debug'), verbose: keep('verbose') };
  return { lines, nest: sink as unknown as Logger, kafka: sink };
}

describe('KafkaFedProjection (real PostgreSQL and Kafka)', () => {
  let database: RunnerTestDatabase;
  let dataSource: DataSource;
  let store: EventStore;
  const topicSpec = (name: string) => ({ name, partitions: 1, replicationFactor: 1 });

  beforeAll(async () => {
    database = await runnerTestDatabase({ maxConnections: 8 });
    dataSource = database.dataSource;
    await createArticleCountsTables(dataSource, counting);
    store = new EventStore(dataSource);
  });

  afterAll(async () => {
    await database?.close();
  });

  it('stops at once while it waits to join again', async () => {
    const log = memoryLogger();
    // Nothing listens there, and kafkajs does not retry: each attempt fails at once and backs off.
    const kafka = new KafkaClient({ brokers: `127.0.0.1:${await freePort()}`, clientId: 'kafka-fed-spec', retry: { retries: 0 } });
    const feed = new KafkaFedProjection(dataSource, kafka, counting, { groupId: unique('g'), topics: [topicSpec(unique('t'))], logger: log.nest });
    feed.start();
    await waitFor(() => log.lines.some((line) => line.includes('joining again in 4000 ms')), { timeoutMs: 30_000, describe: () => log.lines.join('\n') });
    const startedAt = Date.now();
    await feed.stop();
    // Not the 4 s backoff: stopping cuts the wait short.
    expect(Date.now() - startedAt).toBeLessThan(2500);
  });

  it('stops within stopGraceMs while kafkajs retries, and joins no group afterwards', async () => {
    const log = memoryLogger();
    const bootstrap = await switchableBootstrap(brokersFromEnv());
    const topic = unique('t');
    const groupId = unique('g');
    // kafkajs retries each call for about 20 s; its info lines show a consumer starting or joining.
    const kafka = new KafkaClient({
      brokers: bootstrap.address,
      clientId: 'kafka-fed-spec',
      logger: log.kafka,
      logLevel: 'info',
      retry: { retries: 40, initialRetryTimeMs: 300, maxRetryTimeMs: 500 },
    });
    const stopGraceMs = 500;
    const feed = new KafkaFedProjection(dataSource, kafka, counting, { groupId, topics: [topicSpec(topic)], logger: log.nest, stopGraceMs });
    try {
      feed.start();
      await sleep(1000);
      const startedAt = Date.now();
      await feed.stop();
      const elapsedMs = Date.now() - startedAt;
      expect({ elapsedMs, within: elapsedMs < stopGraceMs + 4000 }).toEqual({ elapsedMs, within: true });

      // Kafka answers again: the topic creation left behind completes, and no consumer follows it.
      bootstrap.open();
      const direct = new KafkaClient({ brokers: brokersFromEnv(), clientId: 'kafka-fed-spec-check' });
      await waitFor(async () => (await direct.topicPartitionCounts([topic]))[topic] === 1, { timeoutMs: 30_000, describe: () => log.lines.slice(-10).join('\n') });
      await sleep(3000);
      expect(log.lines.filter((line) => /kafkajs Consumer(Group)?: (Starting|Consumer has joined)/.test(line))).toEqual([]);
    } finally {
      await bootstrap.close();
    }
  }, 60_000);

  it('joins again when kafkajs crashes its consumer and will not restart it', async () => {
    const log = memoryLogger();
    const brokers = brokersFromEnv();
    const kafka = new KafkaClient({ brokers, clientId: 'kafka-fed-spec', logger: log.kafka });
    const topic = unique('t');
    const groupId = unique('g');
    await kafka.ensureTopics([topicSpec(topic)]);

    // Five events of two articles, on the topic as the relay publishes them.
    const articles = [unique('article'), unique('article')];
    const messages = [];
    for (const [index, articleId] of articles.entries()) {
      const count = index === 0 ? 3 : 2;
      const type = Object.keys(ARTICLE_CLOUD_EVENT_TYPES)[0];
      await store.appendToStream(
        articleId,
        Array.from({ length: count }, () => ({ type, data: { articleId } })),
        { streamType: ARTICLE_STREAM_TYPE, expectedVersion: 0, metadata: { actor: { sub: 'test', name: 'Test', roles: [] } } },
      );
      for (const event of await store.readStream(articleId)) {
        messages.push(toCloudEventMessage(event, { type: ARTICLE_CLOUD_EVENT_TYPES[event.type as keyof typeof ARTICLE_CLOUD_EVENT_TYPES] }));
      }
    }
    const producer = kafka.createProducer();
    await producer.connect();
    await producer.sendBatch([{ topic, messages }]);
    await producer.disconnect();

    // A member with another assignment protocol holds the group: the broker refuses our consumer
    // with INCONSISTENT_GROUP_PROTOCOL, which kafkajs does not retry: it crashes, not restarting.
    const foreignAssigner: PartitionAssigner = (config) => ({ ...PartitionAssigners.roundRobin(config), name: 'range' });
    const foreign = new Kafka({ clientId: 'foreign', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).consumer({
      groupId,
      partitionAssigners: [foreignAssigner],
    });
    const foreignJoined = new Promise<void>((resolve) => foreign.on(foreign.events.GROUP_JOIN, () => resolve()));
    await foreign.connect();
    await foreign.subscribe({ topics: [topic] });
    // It holds the partition without reading or committing anything.
    await foreign.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    await foreignJoined;

    let batchesAnnounced = 0;
    const feed = new KafkaFedProjection(dataSource, kafka, counting, {
      groupId,
      topics: [topicSpec(topic)],
      logger: log.nest,
      onApplied: () => batchesAnnounced++,
    });
    const counts = async (): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await dataSource.query('SELECT article_id, events FROM kafka_fed_spec_counts WHERE article_id = ANY($1)', [articles])).map(
          (row: { article_id: string; events: number }) => [row.article_id, row.events],
        ),
      );
    try {
      feed.start();
      await waitFor(
        () => log.lines.some((line) => line.includes('consumer crashed') && line.includes('"restarting":false')),
        { timeoutMs: 30_000, describe: () => log.lines.slice(-10).join('\n') },
      );
      await foreign.disconnect();

      await waitFor(
        async () => JSON.stringify(await counts()) === JSON.stringify({ [articles[0]]: 3, [articles[1]]: 2 }),
        { timeoutMs: 30_000, describe: () => log.lines.slice(-10).join('\n') },
      );
      expect(log.lines.some((line) => line.includes('joining again'))).toBe(true);
      // Each committed batch that applied events is announced (to the public read cache), just
      // after its commit: the counts above may show before the announcement runs.
      await waitFor(() => batchesAnnounced > 0, { timeoutMs: 5_000, describe: () => 'no batch announced' });
    } finally {
      await feed.stop();
      await foreign.disconnect();
    }
  }, 90_000);
});
