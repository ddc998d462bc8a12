import { KafkaClient } from './kafka-client.js';
import type { IncomingMessage } from './kafka.types.js';
import { kafkaBrokersFromEnv, memoryLogger, uniqueName, waitFor } from '#libs/testing';

describe('KafkaClient (real broker)', () => {
  const logger = memoryLogger();
  let kafka: KafkaClient;

  beforeAll(() => {
    kafka = new KafkaClient({ brokers: kafkaBrokersFromEnv(), clientId: 'kafka-client-spec', logger });
  });

  it('creates missing topics with the configured partition count, and only once', async () => {
    const articles = uniqueName('t-articles');
    const reactions = uniqueName('t-reactions');
    const specs = [
      { name: articles, partitions: 4, replicationFactor: 1 },
      { name: reactions, partitions: 2, replicationFactor: 1 },
    ];

    expect((await kafka.ensureTopics(specs)).sort()).toEqual([articles, reactions].sort());
    expect(await kafka.topicPartitionCounts([articles, reactions, uniqueName('t-missing')])).toEqual({
      [articles]: 4,
      [reactions]: 2,
    });

    // Again, and concurrently: nothing new, no error.
    const again = await Promise.all([kafka.ensureTopics(specs), kafka.ensureTopics(specs)]);
    expect(again).toEqual([[], []]);

    // An existing topic with another count is reported, not changed; reported once, however many
    // consumers ensure it.
    await kafka.ensureTopics([{ name: articles, partitions: 8, replicationFactor: 1 }]);
    await kafka.ensureTopics([{ name: articles, partitions: 8, replicationFactor: 1 }]);
    expect(await kafka.topicPartitionCounts([articles])).toEqual({ [articles]: 4 });
    expect(logger.lines.filter((line) => line.startsWith('warn') && line.includes(articles))).toHaveLength(1);
  });

  it('refuses a topic spec that cannot be right', async () => {
    await expect(kafka.ensureTopics([{ name: 'bad name', partitions: 1, replicationFactor: 1 }])).rejects.toThrow(/topic name/);
    await expect(kafka.ensureTopics([{ name: 'ok', partitions: 0, replicationFactor: 1 }])).rejects.toThrow(/partitions/);
  });

  it('produces in order per key and commits offsets only after the batch handler resolves', async () => {
    const topic = uniqueName('t-roundtrip');
    await kafka.ensureTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
    const producer = kafka.createProducer();
    await producer.connect();
    const keys = ['a', 'b', 'c', 'd'];
    const sent = await producer.sendBatch([
      {
        topic,
        messages: Array.from({ length: 40 }, (_, i) => ({
          key: keys[i % keys.length],
          value: JSON.stringify({ i }),
          headers: { seq: String(i) },
        })),
      },
    ]);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((partition) => partition.topic === topic && /^\d+$/.test(partition.baseOffset))).toBe(true);
    await producer.disconnect();

    // The first member's handler never resolves for the batch it gets: as a projection whose
    // transaction is still open when the process stops. It fails only once the stop has begun,
    // since stop() waits for the batch in hand.
    const groupId = uniqueName('t-group');
    const { held } = await stopWhileHoldingABatch(groupId, topic, 'fails');

    // Nothing of that batch was committed: the next member of the group gets it again.
    const received: IncomingMessage[] = [];
    const second = kafka.createConsumer({ groupId, topics: [topic] });
    await second.start(async (batch) => {
      received.push(...batch.messages);
    });
    const at = (message: IncomingMessage) => `${message.partition}@${message.offset}`;
    await waitFor(() => new Set(received.map((message) => message.headers.seq)).size >= 40, {
      timeoutMs: 45_000,
      describe: () =>
        `${received.length} of 40; of the abandoned batch ${held.map(at).join(' ')}, ` +
        `${held.filter((message) => received.some((again) => at(again) === at(message))).length} received again`,
    });
    await second.stop();

    expect(received.map(at)).toEqual(expect.arrayContaining(held.map(at)));
    expect(new Set(received.map((message) => message.headers.seq)).size).toBe(40);
    for (const key of keys) {
      const sequence = received.filter((message) => message.key?.toString() === key).map((message) => Number(message.headers.seq));
      expect(sequence).toEqual([...sequence].sort((x, y) => x - y));
      expect(new Set(received.filter((m) => m.key?.toString() === key).map((m) => m.partition)).size).toBe(1);
    }

    // The second member committed each batch once its handler resolved: the next starts after them.
    await send(topic, { key: 'a', value: '{"i":40}', headers: { seq: '40' } });
    expect((await firstMessagesOf(groupId, topic)).map((message) => message.headers.seq)).toEqual(['40']);
  });

  /**
   * A member whose handler holds the first batch it gets until its stop() has begun (stop() waits
   * for the batch in hand), then fails it or finishes it; resolves once the member has stopped.
   */
  async function stopWhileHoldingABatch(groupId: string, topic: string, outcome: 'fails' | 'finishes'): Promise<{ held: IncomingMessage[] }> {
    const held: IncomingMessage[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const member = kafka.createConsumer({ groupId, topics: [topic] });
    await member.start(async (batch) => {
      held.push(...batch.messages);
      await released;
      if (outcome === 'fails') throw new Error('stopped before the batch was applied');
    });
    await waitFor(() => held.length > 0, { timeoutMs: 45_000 });
    const stopping = member.stop();
    release();
    await stopping;
    return { held };
  }

  async function send(topic: string, message: { key: string; value: string; headers: Record<string, string> }): Promise<void> {
    const producer = kafka.createProducer();
    await producer.connect();
    await producer.sendBatch([{ topic, messages: [message] }]);
    await producer.disconnect();
  }

  /** What a new member of the group gets first: where the group's committed offsets left off. */
  async function firstMessagesOf(groupId: string, topic: string): Promise<IncomingMessage[]> {
    const received: IncomingMessage[] = [];
    const member = kafka.createConsumer({ groupId, topics: [topic] });
    await member.start(async (batch) => {
      received.push(...batch.messages);
    });
    await waitFor(() => received.length > 0, { timeoutMs: 45_000 });
    await member.stop();
    return received;
  }

  async function topicWithOneMessage(): Promise<string> {
    const topic = uniqueName('t-crash');
    await kafka.ensureTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
    await send(topic, { key: 'a', value: '{}', headers: {} });
    return topic;
  }

  it('commits a batch its handler finished while the consumer was stopping: the next member starts after it', async () => {
    const topic = await topicWithOneMessage();
    const groupId = uniqueName('t-group');
    // Applied only once the stop has begun, as a projection's last batch.
    await stopWhileHoldingABatch(groupId, topic, 'finishes');

    await send(topic, { key: 'a', value: '{}', headers: { seq: 'after' } });
    expect((await firstMessagesOf(groupId, topic)).map((message) => message.headers.seq)).toEqual(['after']);
  });

  it('reports a crash kafkajs will not restart from, and stops counting itself as running', async () => {
    const topic = await topicWithOneMessage();
    const crashes: { error: string; restarting: boolean }[] = [];
    const consumer = kafka.createConsumer({
      groupId: uniqueName('t-group'),
      topics: [topic],
      onCrash: (error, restarting) => void crashes.push({ error: error.message, restarting }),
    });
    // An error kafkajs is told not to retry, as some of its own protocol errors are.
    await consumer.start(async () => {
      throw Object.assign(new Error('the group refuses this member'), { retriable: false });
    });
    try {
      await waitFor(() => crashes.length > 0, { timeoutMs: 45_000 });
      expect(crashes[0]).toEqual({ error: expect.stringContaining('the group refuses this member'), restarting: false });
      expect(consumer.isRunning).toBe(false);
    } finally {
      await consumer.stop();
    }
  });

  it("retries a handler's own bug (a TypeError) like any failure, where kafkajs alone would give up for good", async () => {
    const topic = await topicWithOneMessage();
    const crashes: boolean[] = [];
    let calls = 0;
    const consumer = kafka.createConsumer({ groupId: uniqueName('t-group'), topics: [topic], onCrash: (_, restarting) => void crashes.push(restarting) });
    await consumer.start(async () => {
      calls++;
      throw new TypeError('a bug in the handler');
    });
    try {
      await waitFor(() => calls >= 3, { timeoutMs: 45_000, describe: () => `${calls} calls, crashes ${JSON.stringify(crashes)}` });
      expect(crashes).not.toContain(false);
      expect(consumer.isRunning).toBe(true);
    } finally {
      await consumer.stop();
    }
  });
});
