import { setTimeout as sleep } from 'node:timers/promises';
import { ARTICLE_CLOUD_EVENT_TYPES, ARTICLE_STREAM_TYPE } from '#libs/contracts';
import { KafkaClient } from '#libs/kafka';
import { kafkaBrokersFromEnv, memoryLogger, switchableBootstrap, uniqueName, waitFor } from '#libs/testing';
import { OutboxRelay, routeByStreamType, type OutboxRelayOptions } from './outbox-relay.js';
import { appendArticleEvents, createTestStore, type TestStore } from './testing/relay-test-store.js';

describe('OutboxRelay shutdown and lag (real PostgreSQL and Kafka)', () => {
  let db: TestStore;
  const logger = memoryLogger();
  const tail = () => logger.lines.slice(-15).join('\n');

  beforeAll(async () => {
    db = await createTestStore();
  });

  afterAll(async () => {
    await db?.close();
  });

  function relay(kafka: KafkaClient, options: Partial<OutboxRelayOptions> & { name: string }, topic = uniqueName('t-articles')) {
    return new OutboxRelay({
      dataSource: db.dataSource,
      kafka,
      route: routeByStreamType({ [ARTICLE_STREAM_TYPE]: { topic, ceTypes: ARTICLE_CLOUD_EVENT_TYPES } }),
      pollIntervalMs: 20,
      lockRetryMs: 100,
      logger,
      ...options,
    });
  }

  it('stops within stopGraceMs while Kafka is unreachable, creating topics or connecting the producer', async () => {
    const bootstrap = await switchableBootstrap(kafkaBrokersFromEnv());
    // kafkajs would retry every call for about 20 s: far longer than the stop may take.
    const kafka = new KafkaClient({
      brokers: bootstrap.address,
      clientId: 'relay-shutdown-spec',
      logger,
      retry: { retries: 40, initialRetryTimeMs: 300, maxRetryTimeMs: 500 },
    });
    await appendArticleEvents(db.store, uniqueName('article'), 0, 3);
    const stopGraceMs = 500;
    const topic = uniqueName('t-articles');
    const relays = {
      // Held up creating its topics when it becomes active.
      creatingTopics: relay(kafka, { name: uniqueName('relay'), stopGraceMs, topics: [{ name: topic, partitions: 1, replicationFactor: 1 }] }, topic),
      // No topics to create: held up connecting its producer for the first batch.
      connecting: relay(kafka, { name: uniqueName('relay'), stopGraceMs }),
    };
    try {
      for (const [what, held] of Object.entries(relays)) {
        held.start();
        await waitFor(() => held.isActive, { timeoutMs: 10_000, describe: tail });
        await sleep(1000);
        const startedAt = Date.now();
        await held.stop();
        const elapsedMs = Date.now() - startedAt;
        expect({ what, elapsedMs, within: elapsedMs < stopGraceMs + 4000 }).toEqual({ what, elapsedMs, within: true });
        expect(held.isRunning).toBe(false);
      }
      expect(logger.lines.filter((line) => line.includes('stopping, abandoned')).length).toBeGreaterThanOrEqual(2);

      // What was left behind completes once Kafka answers, and publishes nothing.
      bootstrap.open();
      const client = new KafkaClient({ brokers: kafkaBrokersFromEnv(), clientId: 'relay-shutdown-spec-check' });
      await waitFor(async () => (await client.topicPartitionCounts([topic]))[topic] === 1, { timeoutMs: 30_000, describe: tail });
      await sleep(2000);
      expect(await db.dataSource.query(`SELECT name FROM relay_checkpoints`)).toEqual([]);
      expect(Object.values(relays).map((held) => held.stats.eventsPublished)).toEqual([0, 0]);
    } finally {
      await Promise.all(Object.values(relays).map((held) => held.stop()));
      await bootstrap.close();
    }
  }, 90_000);

  it('counts the lag up to lagCap, so that a probe never counts the whole backlog', async () => {
    const kafka = new KafkaClient({ brokers: kafkaBrokersFromEnv(), clientId: 'relay-lag-spec', logger });
    await appendArticleEvents(db.store, uniqueName('article'), 0, 8);
    const [{ written }] = await db.dataSource.query(`SELECT count(*)::int AS written FROM events`);
    expect(written).toBeGreaterThanOrEqual(8);

    const uncapped = relay(kafka, { name: uniqueName('relay') });
    expect(uncapped.lagCap).toBe(100_000);
    // The commit-safe log shows the events once no older transaction is open on the server.
    await waitFor(async () => (await uncapped.lag()) === written, { timeoutMs: 30_000 });

    const capped = relay(kafka, { name: uniqueName('relay'), lagCap: 5 });
    expect(capped.lagCap).toBe(5);
    expect(await capped.lag()).toBe(5);

    expect(() => relay(kafka, { name: 'bad', lagCap: 0 })).toThrow(/lagCap/);
  });
});
