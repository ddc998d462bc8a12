import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { KafkaBroker } from './kafka-broker.js';

interface Received {
  partition: number;
  key: string;
  value: string;
}

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

function client(brokers: string, extra: Partial<ConstructorParameters<typeof Kafka>[0]> = {}): Kafka {
  return new Kafka({ clientId: 'kafka-broker-spec', brokers: [brokers], logLevel: logLevel.NOTHING, ...extra });
}

function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

async function createTopic(admin: Admin, topic: string): Promise<void> {
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  expect(created).toBe(true);
}

/** Reads `count` messages from the start of `topic` with a new consumer group. */
async function consume(kafka: Kafka, topic: string, count: number, timeoutMs = 30_000): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: unique('kafka-broker-spec') });
  const received: Received[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumed ${received.length} of ${count} messages from ${topic}`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            received.push({ partition, key: String(message.key), value: String(message.value) });
            if (received.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/** Total messages in the topic according to the broker (high watermarks). */
async function messageCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

function valuesByKey(messages: Received[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const m of messages) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m.value]);
  return byKey;
}

describe('KafkaBroker', () => {
  describe('the broker from global setup (KAFKA_BROKERS)', () => {
    const brokers = process.env.KAFKA_BROKERS;
    let kafka: Kafka;
    let admin: Admin;

    beforeAll(async () => {
      if (!brokers) throw new Error('KAFKA_BROKERS is not set: jest global setup should have started a broker');
      kafka = client(brokers);
      admin = kafka.admin();
      await admin.connect();
    });

    afterAll(async () => {
      await admin?.disconnect();
    });

    it('keeps per-key order across 3 partitions with an idempotent producer and a consumer group', async () => {
      const topic = unique('ordering');
      await createTopic(admin, topic);
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0].partitions).toHaveLength(3);

      const keys = Array.from({ length: 12 }, (_, i) => `article-${i}`);
      const perKey = 10;
      const producer = idempotentProducer(kafka);
      await producer.connect();
      try {
        // Interleave keys so that order within a key is not an accident of batching.
        for (let seq = 0; seq < perKey; seq++) {
          await producer.send({ topic, acks: -1, messages: keys.map((key) => ({ key, value: `${key}#${seq}` })) });
        }
      } finally {
        await producer.disconnect();
      }
      expect(await messageCount(admin, topic)).toBe(keys.length * perKey);

      const received = await consume(kafka, topic, keys.length * perKey);
      expect(received).toHaveLength(keys.length * perKey);
      const byKey = valuesByKey(received);
      for (const key of keys) {
        expect(byKey.get(key)).toEqual(Array.from({ length: perKey }, (_, seq) => `${key}#${seq}`));
        // One key, one partition: that is what gives the order.
        expect(new Set(received.filter((m) => m.key === key).map((m) => m.partition)).size).toBe(1);
      }
      expect(new Set(received.map((m) => m.partition)).size).toBe(3);
    });

    it('does not create topics on first use (auto.create.topics.enable=false)', async () => {
      const topic = unique('not-created');
      const producer = client(brokers!, { retry: { retries: 1, initialRetryTime: 100 } }).producer({
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      try {
        await expect(producer.send({ topic, messages: [{ value: 'x' }] })).rejects.toThrow();
      } finally {
        await producer.disconnect();
      }
      expect(await admin.listTopics()).not.toContain(topic);
    });
  });

  describe('a broker of its own', () => {
    let broker: KafkaBroker | undefined;

    afterAll(async () => {
      await broker?.destroy();
    });

    it('keeps its data across stop()/restart() and kill()/restart() on the same port', async () => {
      broker = await KafkaBroker.start();
      const address = broker.brokers;
      expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(broker.running).toBe(true);
      const kafka = client(address);
      const admin = kafka.admin();
      const topic = 'restart-me';

      await admin.connect();
      await createTopic(admin, topic);
      await admin.disconnect();
      const producer = idempotentProducer(kafka);
      await producer.connect();
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i % 4}`, value: `before-${i}` })),
      });
      await producer.disconnect();

      await broker.stop();
      expect(broker.running).toBe(false);
      expect(broker.pid).toBeUndefined();
      const offline = client(address, { connectionTimeout: 1000, retry: { retries: 0 } }).producer({
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await expect(
        offline.connect().then(() => offline.send({ topic, acks: -1, timeout: 2000, messages: [{ value: 'lost' }] })),
      ).rejects.toThrow();
      await offline.disconnect().catch(() => undefined);

      await broker.restart();
      expect(broker.brokers).toBe(address);
      expect(broker.running).toBe(true);
      const again = idempotentProducer(kafka);
      await again.connect();
      await again.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 5 }, (_, i) => ({ key: `k${i % 4}`, value: `after-${i}` })),
      });
      await again.disconnect();

      const received = await consume(kafka, topic, 15);
      expect(received.map((m) => m.value).sort()).toEqual(
        [...Array.from({ length: 10 }, (_, i) => `before-${i}`), ...Array.from({ length: 5 }, (_, i) => `after-${i}`)].sort(),
      );
      // Per key, everything from before the restart comes first, in order.
      for (const [key, values] of valuesByKey(received)) {
        const expected = [
          ...Array.from({ length: 10 }, (_, i) => i).filter((i) => `k${i % 4}` === key).map((i) => `before-${i}`),
          ...Array.from({ length: 5 }, (_, i) => i).filter((i) => `k${i % 4}` === key).map((i) => `after-${i}`),
        ];
        expect(values).toEqual(expected);
      }

      // A crash (SIGKILL) loses nothing that was acknowledged with acks=all.
      await broker.kill();
      expect(broker.running).toBe(false);
      await broker.restart();
      const checker = kafka.admin();
      await checker.connect();
      try {
        expect(await messageCount(checker, topic)).toBe(15);
      } finally {
        await checker.disconnect();
      }

      const dataDir = broker.dataDir;
      expect(existsSync(dataDir)).toBe(true);
      await broker.destroy();
      expect(broker.running).toBe(false);
      expect(existsSync(dataDir)).toBe(false);
      broker = undefined;
    });
  });
});
