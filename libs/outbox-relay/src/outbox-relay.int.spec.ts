import { setTimeout as sleep } from 'node:timers/promises';
import { ARTICLE_CLOUD_EVENT_TYPES, ARTICLE_STREAM_TYPE, articleIdOfData, articleStreamId } from '#libs/contracts';
import type { RecordedEvent } from '#libs/event-store';
import { KafkaClient, type KafkaConsumer } from '#libs/kafka';
import { collectMessages, freePort, kafkaBrokersFromEnv, memoryLogger, type ReceivedMessage, uniqueName, versionsByArticle, waitFor } from '#libs/testing';
import { OutboxRelay, routeByStreamType, type OutboxRelayOptions } from './outbox-relay.js';
import { appendArticleEvents, createTestStore, type TestStore } from './testing/relay-test-store.js';

const CONTRACT_HEADERS = [
  'ce_specversion',
  'ce_id',
  'ce_source',
  'ce_type',
  'ce_subject',
  'ce_time',
  'content-type',
  'ce_streamid',
  'ce_streamversion',
  'ce_position',
].sort();

describe('OutboxRelay (real PostgreSQL and Kafka)', () => {
  let db: TestStore;
  let kafka: KafkaClient;
  const relays: OutboxRelay[] = [];
  const consumers: KafkaConsumer[] = [];
  const logger = memoryLogger();

  beforeAll(() => {
    kafka = new KafkaClient({ brokers: kafkaBrokersFromEnv(), clientId: 'outbox-relay-spec', logger });
  });

  // A relay publishes the whole log, so each test gets a log of its own.
  beforeEach(async () => {
    db = await createTestStore();
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
    await db.close();
  });

  /** Each test uses its own topic and relay name, so tests never see each other's messages. */
  function relayFor(
    topic: string,
    overrides: Partial<OutboxRelayOptions> & { name: string },
  ): OutboxRelay {
    const relay = new OutboxRelay({
      dataSource: db.dataSource,
      kafka,
      route: routeByStreamType({ [ARTICLE_STREAM_TYPE]: { topic, ceTypes: ARTICLE_CLOUD_EVENT_TYPES } }),
      topics: [{ name: topic, partitions: 3, replicationFactor: 1 }],
      pollIntervalMs: 20,
      lockRetryMs: 100,
      retryInitialMs: 50,
      retryMaxMs: 500,
      stopGraceMs: 1000,
      logger,
      ...overrides,
    });
    relays.push(relay);
    return relay;
  }

  async function collect(topic: string): Promise<ReceivedMessage[]> {
    await kafka.ensureTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
    const { messages, consumer } = await collectMessages(kafka, [topic]);
    consumers.push(consumer);
    return messages;
  }

  async function storedCheckpoint(name: string) {
    const rows: { transaction_id: string; position: string }[] = await db.dataSource.query(
      `SELECT transaction_id::text AS transaction_id, position FROM relay_checkpoints WHERE name = $1`,
      [name],
    );
    return rows.length ? { transactionId: rows[0].transaction_id, position: Number(rows[0].position) } : null;
  }

  const articleIdOf = (event: RecordedEvent): string => articleIdOfData(event.data)!;

  /** Every event of these articles' streams, in log order. */
  async function eventsOf(articleIds: string[]): Promise<RecordedEvent[]> {
    const streams = await Promise.all(articleIds.map((id) => db.store.readStream(articleStreamId(id))));
    return streams.flat().sort((a, b) => a.position - b.position);
  }

  const tail = () => logger.lines.slice(-15).join('\n');

  it('publishes every article event in per-article order, keyed by article, with the contract headers', async () => {
    const topic = uniqueName('t-articles');
    const name = uniqueName('relay');
    const messages = await collect(topic);
    const articles = Array.from({ length: 5 }, (_, i) => uniqueName(`article-${i}`));
    const versions = new Map(articles.map((id) => [id, 0]));

    // Interleaved writes, some several events per transaction, and a stream type that is not published.
    for (let round = 0; round < 6; round++) {
      await Promise.all(
        articles.map(async (articleId, i) => {
          const count = 1 + ((round + i) % 3);
          await appendArticleEvents(db.store, articleId, versions.get(articleId)!, count);
          versions.set(articleId, versions.get(articleId)! + count);
        }),
      );
    }
    const internal = await db.store.appendToStream(uniqueName('internal'), [{ type: 'Tick', data: {} }], {
      streamType: 'scheduler',
      expectedVersion: 0,
      metadata: { actor: { sub: 'system', name: 'System', roles: [] } },
    });
    const expected = await eventsOf(articles);
    expect(expected).toHaveLength([...versions.values()].reduce((a, b) => a + b));

    const relay = relayFor(topic, { name, batchSize: 7, source: '/newsroom-test' });
    relay.start();
    await waitFor(() => messages.length >= expected.length, {
      timeoutMs: 45_000,
      describe: () => `${messages.length} of ${expected.length} messages\n${tail()}`,
    });

    expect(messages).toHaveLength(expected.length);
    const byId = new Map(expected.map((event) => [event.eventId, event]));
    for (const message of messages) {
      const event = byId.get(message.headers.ce_id);
      if (!event) throw new Error(`unexpected message ${JSON.stringify(message.headers)}`);
      expect(Object.keys(message.headers).sort()).toEqual(CONTRACT_HEADERS);
      expect(message.headers).toEqual({
        ce_specversion: '1.0',
        ce_id: event.eventId,
        ce_source: '/newsroom-test',
        ce_type: ARTICLE_CLOUD_EVENT_TYPES[event.type as keyof typeof ARTICLE_CLOUD_EVENT_TYPES],
        ce_subject: articleIdOf(event),
        ce_time: event.recordedAt.toISOString(),
        'content-type': 'application/json',
        ce_streamid: event.streamId,
        ce_streamversion: String(event.streamVersion),
        ce_position: String(event.position),
      });
      expect(message.key).toBe(articleIdOf(event));
      expect(message.envelope.data).toEqual(event.data);
      expect(message.envelope.streamId).toBe(articleStreamId(articleIdOf(event)));
    }
    const order = versionsByArticle(messages);
    for (const articleId of articles) {
      expect(order.get(articleId)).toEqual(Array.from({ length: versions.get(articleId)! }, (_, i) => i + 1));
      // One article, one partition.
      expect(new Set(messages.filter((m) => m.key === articleId).map((m) => m.partition)).size).toBe(1);
    }

    // The checkpoint moves past the last event, the unpublished one included.
    const [last] = internal.events;
    const lastCheckpoint = { transactionId: last.transactionId, position: last.position };
    await waitFor(async () => JSON.stringify(await storedCheckpoint(name)) === JSON.stringify(lastCheckpoint), {
      timeoutMs: 10_000,
      describe: tail,
    });
    expect(relay.checkpoint).toEqual(lastCheckpoint);
    expect(await relay.lag()).toBe(0);
    expect(relay.stats).toMatchObject({ eventsPublished: expected.length, eventsSkipped: 1, publishFailures: 0, activations: 1 });
    expect(relay.lastPublishedAt).toBeInstanceOf(Date);
    expect(relay.isActive).toBe(true);

    await relay.stop();
    expect(relay.isActive).toBe(false);
    expect(relay.isRunning).toBe(false);
  });

  it('splits a batch larger than the broker accepts in one request', async () => {
    const topic = uniqueName('t-large');
    const name = uniqueName('relay');
    const messages = await collect(topic);
    // 12 events of ~200 KB on one partition: 2.4 MB, far over the broker's 1 MiB per request.
    const articleId = uniqueName('article-large');
    const big = 'x'.repeat(200_000);
    for (let version = 0; version < 12; version++) {
      await db.store.appendToStream(articleId, [{ type: 'ArticleRevised', data: { articleId, changes: { body: big } } }], {
        streamType: ARTICLE_STREAM_TYPE,
        expectedVersion: version,
        metadata: { actor: { sub: 'test', name: 'Test', roles: [] } },
      });
    }
    relayFor(topic, { name, batchSize: 500 }).start();
    await waitFor(() => messages.length >= 12, { timeoutMs: 60_000, describe: tail });
    expect(versionsByArticle(messages).get(articleId)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('publishes the events ahead of one it cannot map, then holds at that event, saying why', async () => {
    const topic = uniqueName('t-unmapped');
    const name = uniqueName('relay');
    const messages = await collect(topic);
    const [before, after] = [uniqueName('article-before'), uniqueName('article-after')];
    const ahead = await appendArticleEvents(db.store, before, 0, 3);
    const unknown = await db.store.appendToStream(articleStreamId(after), [{ type: 'ArticleTeleported', data: { articleId: after } }], {
      streamType: ARTICLE_STREAM_TYPE,
      expectedVersion: 0,
      metadata: { actor: { sub: 'test', name: 'Test', roles: [] } },
    });
    await appendArticleEvents(db.store, before, 3, 2);

    // One read takes all six events: the three ahead of the unknown one go out in it.
    relayFor(topic, { name, batchSize: 500 }).start();
    await waitFor(() => messages.length >= 3 && logger.lines.some((line) => line.includes('ArticleTeleported')), {
      timeoutMs: 30_000,
      describe: () => `${messages.length} messages\n${tail()}`,
    });
    await sleep(500);
    expect(versionsByArticle(messages)).toEqual(new Map([[before, [1, 2, 3]]]));
    // The checkpoint stops just before the unknown event: nothing after it is skipped.
    expect((await storedCheckpoint(name))?.position).toBe(ahead.lastPosition);
    expect(logger.lines.find((line) => line.includes('ArticleTeleported'))).toMatch(
      new RegExp(`cannot publish: Error: no ce_type for ArticleTeleported events of stream article \\(event ${unknown.events[0].eventId}\\)`),
    );
  });

  it('creates its topics at start-up with the configured partition count', async () => {
    const articles = uniqueName('t-articles');
    const reactions = uniqueName('t-reactions');
    const relay = relayFor(articles, {
      name: uniqueName('relay'),
      topics: [
        { name: articles, partitions: 5, replicationFactor: 1 },
        { name: reactions, partitions: 2, replicationFactor: 1 },
      ],
    });
    expect(await kafka.topicPartitionCounts([articles, reactions])).toEqual({});

    relay.start();
    await waitFor(async () => Object.keys(await kafka.topicPartitionCounts([articles, reactions])).length === 2, {
      timeoutMs: 30_000,
      describe: tail,
    });
    expect(await kafka.topicPartitionCounts([articles, reactions])).toEqual({ [articles]: 5, [reactions]: 2 });
  });

  it('keeps its checkpoint while the broker is unreachable, and nothing is lost', async () => {
    const topic = uniqueName('t-articles');
    const name = uniqueName('relay');
    const messages = await collect(topic);
    const articleId = uniqueName('article');
    const [last] = (await appendArticleEvents(db.store, articleId, 0, 4)).events.slice(-1);
    const checkpoint = { transactionId: last.transactionId, position: last.position };
    const published = relayFor(topic, { name });
    published.start();
    await waitFor(() => messages.length === 4, { timeoutMs: 30_000, describe: tail });
    await waitFor(async () => JSON.stringify(await storedCheckpoint(name)) === JSON.stringify(checkpoint), {
      timeoutMs: 10_000,
      describe: tail,
    });
    await published.stop();

    // Same relay name, a broker address where nothing listens.
    const unreachable = new KafkaClient({
      brokers: `127.0.0.1:${await freePort()}`,
      clientId: 'unreachable',
      logger: memoryLogger(),
      connectionTimeoutMs: 500,
      retry: { retries: 1, maxRetryTimeMs: 200 },
    });
    const blocked = relayFor(topic, { name, kafka: unreachable, producer: { retries: 1, maxRetryTimeMs: 200 } });
    blocked.start();
    await appendArticleEvents(db.store, articleId, 4, 6);
    await waitFor(() => blocked.stats.publishFailures >= 3, { timeoutMs: 30_000, describe: tail });
    expect(blocked.isActive).toBe(true);
    expect(blocked.stats.eventsPublished).toBe(0);
    expect(await storedCheckpoint(name)).toEqual(checkpoint);
    expect(blocked.checkpoint).toEqual(checkpoint);
    await waitFor(async () => (await blocked.lag()) === 6, { timeoutMs: 10_000 });
    const stopping = Date.now();
    await blocked.stop();
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect(blocked.isActive).toBe(false);
    expect(await storedCheckpoint(name)).toEqual(checkpoint);

    const recovered = relayFor(topic, { name });
    recovered.start();
    await waitFor(() => messages.length >= 10, { timeoutMs: 30_000, describe: () => `${messages.length} of 10\n${tail()}` });
    await waitFor(async () => (await recovered.lag()) === 0, { timeoutMs: 10_000, describe: tail });
    expect(versionsByArticle(messages).get(articleId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(messages).toHaveLength(10);
  });

  it('runs one active relay at a time; a standby takes over from the checkpoint when it stops', async () => {
    const topic = uniqueName('t-articles');
    const name = uniqueName('relay');
    const messages = await collect(topic);
    const first = relayFor(topic, { name, batchSize: 20 });
    const second = relayFor(topic, { name, batchSize: 20 });

    let bothActive = 0;
    const watch = setInterval(() => {
      if (first.isActive && second.isActive) bothActive++;
    }, 2);

    const articles = Array.from({ length: 4 }, (_, i) => uniqueName(`article-${i}`));
    const versions = new Map(articles.map((id) => [id, 0]));
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const articleId = articles[i % articles.length];
        await appendArticleEvents(db.store, articleId, versions.get(articleId)!, 1 + (i % 2));
        versions.set(articleId, versions.get(articleId)! + 1 + (i % 2));
        await sleep(3);
      }
    })();

    try {
      first.start();
      await waitFor(() => first.isActive, { timeoutMs: 10_000, describe: tail });
      second.start();
      await waitFor(() => messages.length >= 50, { timeoutMs: 30_000, describe: () => `${messages.length}\n${tail()}` });
      expect(second.isActive).toBe(false);
      expect(second.stats.eventsPublished).toBe(0);

      const handedOver = first.checkpoint;
      await first.stop();
      await waitFor(() => second.isActive, { timeoutMs: 10_000, describe: tail });
      const publishedBefore = messages.length;
      await waitFor(() => messages.length >= publishedBefore + 50, {
        timeoutMs: 30_000,
        describe: () => `${messages.length}\n${tail()}`,
      });
      expect(first.isActive).toBe(false);
      expect(second.stats.activations).toBe(1);
      expect(first.stats.eventsPublished).toBeGreaterThan(0);
      expect(second.stats.eventsPublished).toBeGreaterThan(0);
      expect(handedOver).not.toBeNull();
    } finally {
      writing = false;
      await writer;
      clearInterval(watch);
    }

    const expected = await eventsOf(articles);
    await waitFor(() => new Set(messages.map((m) => m.envelope.id)).size >= expected.length, {
      timeoutMs: 30_000,
      describe: () => `${new Set(messages.map((m) => m.envelope.id)).size} of ${expected.length}\n${tail()}`,
    });
    expect(bothActive).toBe(0);
    expect(new Set(messages.map((m) => m.envelope.id))).toEqual(new Set(expected.map((event) => event.eventId)));
    const order = versionsByArticle(messages);
    for (const articleId of articles) {
      expect(order.get(articleId)).toEqual(Array.from({ length: versions.get(articleId)! }, (_, i) => i + 1));
    }
  });

  it('gives up publishing when its lock connection dies, and takes the lock again', async () => {
    const topic = uniqueName('t-articles');
    const name = uniqueName('relay');
    const messages = await collect(topic);
    const relay = relayFor(topic, { name });
    relay.start();
    await waitFor(() => relay.isActive, { timeoutMs: 10_000, describe: tail });
    const articleId = uniqueName('article');
    await appendArticleEvents(db.store, articleId, 0, 3);
    await waitFor(() => messages.length === 3, { timeoutMs: 30_000, describe: tail });

    // The backend that holds the advisory lock is the relay's dedicated connection.
    const holders: { pid: number }[] = await db.dataSource.query(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(holders).toHaveLength(1);
    await db.dataSource.query('SELECT pg_terminate_backend($1)', [holders[0].pid]);

    await waitFor(() => relay.stats.activations === 2 && relay.isActive, { timeoutMs: 30_000, describe: tail });
    await appendArticleEvents(db.store, articleId, 3, 3);
    await waitFor(() => messages.length >= 6, { timeoutMs: 30_000, describe: tail });
    expect(versionsByArticle(messages).get(articleId)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
