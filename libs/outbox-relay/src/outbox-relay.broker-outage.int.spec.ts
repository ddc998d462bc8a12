import { setTimeout as sleep } from 'node:timers/promises';
import { ARTICLE_CLOUD_EVENT_TYPES, ARTICLE_STREAM_TYPE } from '#libs/contracts';
import { KafkaClient } from '#libs/kafka';
import { collectMessages, KafkaBroker, memoryLogger, uniqueName, versionsByArticle, waitFor } from '#libs/testing';
import { OutboxRelay, routeByStreamType } from './outbox-relay.js';
import { appendArticleEvents, createTestStore, type TestStore } from './testing/relay-test-store.js';

/** A broker of its own, so that this file can stop and kill it without disturbing other specs. */
describe('OutboxRelay across a broker outage', () => {
  let broker: KafkaBroker;
  let db: TestStore;
  let relay: OutboxRelay | undefined;
  const logger = memoryLogger();
  const tail = () => logger.lines.slice(-20).join('\n');

  beforeAll(async () => {
    [broker, db] = await Promise.all([KafkaBroker.start(), createTestStore()]);
  }, 120_000);

  afterAll(async () => {
    await relay?.stop();
    await Promise.all([broker?.destroy(), db?.close()]);
  }, 60_000);

  it('keeps accepting writes while the broker is down and publishes every event, in order, once it is back', async () => {
    const topic = uniqueName('t-articles');
    const kafka = new KafkaClient({ brokers: broker.brokers, clientId: 'outage-spec', logger, connectionTimeoutMs: 1000 });
    relay = new OutboxRelay({
      dataSource: db.dataSource,
      kafka,
      route: routeByStreamType({ [ARTICLE_STREAM_TYPE]: { topic, ceTypes: ARTICLE_CLOUD_EVENT_TYPES } }),
      topics: [{ name: topic, partitions: 3, replicationFactor: 1 }],
      batchSize: 50,
      pollIntervalMs: 20,
      retryInitialMs: 100,
      retryMaxMs: 1000,
      logger,
    });

    const articles = Array.from({ length: 6 }, (_, i) => uniqueName(`article-${i}`));
    const versions = new Map(articles.map((id) => [id, 0]));
    let written = 0;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const articleId = articles[i % articles.length];
        const count = 1 + (i % 3);
        // Nothing here waits for Kafka: an append that failed would fail the test.
        await appendArticleEvents(db.store, articleId, versions.get(articleId)!, count);
        versions.set(articleId, versions.get(articleId)! + count);
        written += count;
        await sleep(2);
      }
    })();

    const storedCheckpoint = async () =>
      JSON.stringify(await db.dataSource.query(`SELECT transaction_id::text, position FROM relay_checkpoints`));

    /** Takes the broker down, checks that writes go on and the checkpoint stays, and brings it back. */
    async function outage(down: () => Promise<void>) {
      const failures = relay!.stats.publishFailures;
      await down();
      const writtenWhenDown = written;
      await waitFor(() => relay!.stats.publishFailures >= failures + 2, { timeoutMs: 60_000, describe: tail });
      const checkpointWhileDown = await storedCheckpoint();
      await waitFor(() => written >= writtenWhenDown + 200, { timeoutMs: 30_000, describe: () => `${written} written` });
      await waitFor(async () => (await relay!.lag()) > 0, { timeoutMs: 30_000 });
      expect(await storedCheckpoint()).toBe(checkpointWhileDown);
      await broker.restart();
      const published = relay!.stats.eventsPublished;
      await waitFor(() => relay!.stats.eventsPublished > published + 200, {
        timeoutMs: 90_000,
        describe: () => `${relay!.stats.eventsPublished - published} published since restart\n${tail()}`,
      });
    }

    try {
      relay.start();
      await waitFor(() => relay!.stats.eventsPublished >= 100, { timeoutMs: 30_000, describe: tail });

      await outage(() => broker.stop());
      await outage(() => broker.kill());
    } finally {
      writing = false;
      await writer;
    }

    await waitFor(async () => (await relay!.lag()) === 0, { timeoutMs: 60_000, describe: tail });
    expect(relay.isActive).toBe(true);

    const { messages, consumer } = await collectMessages(kafka, [topic]);
    try {
      await waitFor(() => new Set(messages.map((m) => m.envelope.id)).size >= written, {
        timeoutMs: 60_000,
        describe: () => `${new Set(messages.map((m) => m.envelope.id)).size} of ${written}`,
      });
      // Let duplicates (at-least-once) that are still on their way arrive before counting.
      await sleep(500);
    } finally {
      await consumer.stop();
    }

    expect(new Set(messages.map((m) => m.envelope.id)).size).toBe(written);
    const order = versionsByArticle(messages);
    for (const articleId of articles) {
      expect(order.get(articleId)).toEqual(Array.from({ length: versions.get(articleId)! }, (_, i) => i + 1));
    }
  }, 300_000);
});
