import { randomUUID } from 'node:crypto';
import { KafkaClient, type OutgoingMessage } from '#libs/kafka';
import { memoryLogger, uniqueName, waitFor } from '#libs/testing';
import { createSubscriber, type NewsroomSubscriber } from './newsroom-subscriber.js';
import { cloudEventMessage, correctionData, publishedData } from './testing/cloud-event-messages.js';

/** The subscriber against the real broker (KAFKA_BROKERS, started by the jest global setup). */
describe('NewsroomSubscriber (real broker)', () => {
  const brokers = process.env.KAFKA_BROKERS!;
  const kafka = new KafkaClient({ brokers, clientId: 'subscriber-spec' });
  const running: NewsroomSubscriber[] = [];

  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map((subscriber) => subscriber.stop()));
  });

  async function topicWith(messages: OutgoingMessage[]): Promise<string> {
    const topic = uniqueName('t-subscriber');
    await kafka.ensureTopics([{ name: topic, partitions: 3, replicationFactor: 1 }]);
    await send(topic, messages);
    return topic;
  }

  async function send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    const producer = kafka.createProducer();
    await producer.connect();
    await producer.sendBatch([{ topic, messages }]);
    await producer.disconnect();
  }

  function start(subscriber: NewsroomSubscriber): Promise<void> {
    running.push(subscriber);
    return subscriber.start();
  }

  /** Three articles, each published then corrected twice: 9 events over the topic's partitions. */
  function stories() {
    return Array.from({ length: 3 }, (_, story) => {
      const articleId = randomUUID();
      return [
        cloudEventMessage({ type: 'newsroom.article.published.v1', data: publishedData(articleId, `Story ${story}`), streamVersion: 20 }),
        cloudEventMessage({ type: 'newsroom.article.correction-issued.v1', data: correctionData(articleId, `Fix ${story}.1`), streamVersion: 21 }),
        cloudEventMessage({ type: 'newsroom.article.correction-issued.v1', data: correctionData(articleId, `Fix ${story}.2`), streamVersion: 22 }),
      ];
    }).flat();
  }

  /** One article's corrections, versions 1 to `count`, texts `<prefix> 0` on. */
  function corrections(count: number, prefix = 'Fix') {
    const articleId = randomUUID();
    return Array.from({ length: count }, (_, index) =>
      cloudEventMessage({ type: 'newsroom.article.correction-issued.v1', data: correctionData(articleId, `${prefix} ${index}`), streamVersion: index + 1 }),
    );
  }

  it('delivers each event once, in order per article, even when a failed batch is delivered again', async () => {
    const messages = stories();
    const unknownType = { ...messages[0], headers: { ...messages[0].headers, ce_id: randomUUID(), ce_type: 'newsroom.article.archived.v2' } };
    const topic = await topicWith([...messages, unknownType]);
    const logger = memoryLogger();

    const handled: { id: string; article: string; version: number }[] = [];
    const attempts = new Map<string, number>();
    const unknown: string[] = [];
    let failed = false;
    const subscriber = createSubscriber({ brokers, groupId: uniqueName('g'), topics: [topic], logger, onUnknown: (event) => void unknown.push(event.type) })
      .on('newsroom.article.published.v1', (event) => {
        handled.push({ id: event.id, article: event.subject, version: event.streamVersion });
      })
      .on('newsroom.article.correction-issued.v1', (event) => {
        attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
        // The last correction of the first story fails once: its batch (that article's partition) comes again.
        if (event.data.text === 'Fix 0.2' && !failed) {
          failed = true;
          throw new Error('downstream database unavailable');
        }
        handled.push({ id: event.id, article: event.subject, version: event.streamVersion });
      });
    await start(subscriber);

    await waitFor(() => handled.length >= 9 && unknown.length >= 1, { timeoutMs: 45_000, describe: () => `${handled.length} of 9 handled` });
    expect(failed).toBe(true);
    expect(handled.map((event) => event.id).sort()).toEqual(messages.map((message) => message.headers.ce_id).sort());
    expect(attempts.get(messages[2].headers.ce_id)).toBe(2);
    // What the batch had handled before the failure was committed: only the failed event came again.
    expect(subscriber.stats.duplicates).toBe(0);
    expect(subscriber.stats).toMatchObject({ handled: 9 + 1, invalid: 0 });
    expect(unknown).toEqual(['newsroom.article.archived.v2']);
    for (const article of new Set(handled.map((event) => event.article))) {
      expect(handled.filter((event) => event.article === article).map((event) => event.version)).toEqual([20, 21, 22]);
    }
    expect(logger.lines.some((line) => line.includes('downstream database unavailable'))).toBe(true);
  });

  it("retries a batch whose handler has a bug of its own (a TypeError), instead of stopping for good", async () => {
    const messages = stories();
    const topic = await topicWith(messages);
    const handled = new Set<string>();
    let bugs = 0;
    const subscriber = createSubscriber({ brokers, groupId: uniqueName('g'), topics: [topic], logger: memoryLogger() })
      .on('newsroom.article.published.v1', (event) => void handled.add(event.id))
      .on('newsroom.article.correction-issued.v1', (event) => {
        if (bugs++ === 0) (undefined as unknown as { text: string }).text.trim(); // throws a TypeError
        handled.add(event.id);
      });
    await start(subscriber);

    await waitFor(() => handled.size >= 9, { timeoutMs: 45_000, describe: () => `${handled.size} of 9 handled, running: ${subscriber.isRunning}` });
    expect(bugs).toBeGreaterThan(6);
    expect(subscriber.isRunning).toBe(true);
  });

  it('commits what it handled (a restart goes on from there), and replays from the beginning on demand', async () => {
    const messages = stories();
    const topic = await topicWith(messages);
    const groupId = uniqueName('g');
    const seen: string[] = [];
    const subscribe = () =>
      createSubscriber({ brokers, groupId, topics: [topic] })
        .on('newsroom.article.published.v1', (event) => void seen.push(event.id))
        .on('newsroom.article.correction-issued.v1', (event) => void seen.push(event.id));

    const first = subscribe();
    await start(first);
    await waitFor(() => seen.length >= 9, { timeoutMs: 45_000, describe: () => `${seen.length} of 9` });
    await first.stop();

    // Same group, one new event: only that one arrives.
    const late = cloudEventMessage({ type: 'newsroom.article.published.v1', data: publishedData(randomUUID(), 'Late story') });
    await send(topic, [late]);
    const second = subscribe();
    await start(second);
    await waitFor(() => seen.length >= 10, { timeoutMs: 45_000, describe: () => `${seen.length} of 10` });
    expect(seen.slice(9)).toEqual([late.headers.ce_id]);

    // replay(): the group's offsets go back to the earliest and the seen ids are forgotten.
    await second.replay();
    await waitFor(() => seen.length >= 20, { timeoutMs: 45_000, describe: () => `${seen.length} of 20` });
    expect(seen.slice(10).sort()).toEqual([...messages, late].map((message) => message.headers.ce_id).sort());
    expect(second.isRunning).toBe(true);
  });

  it('after a failure and a restart, handles again only what it had not finished: the failed event and the rest', async () => {
    const messages = corrections(5);
    const topic = await topicWith(messages);
    const groupId = uniqueName('g');
    const handled: string[] = [];
    let poisonTries = 0;
    const failing = createSubscriber({ brokers, groupId, topics: [topic], logger: memoryLogger() }).on('newsroom.article.correction-issued.v1', (event) => {
      if (event.data.text === 'Fix 3') {
        poisonTries++;
        throw new Error('cannot handle Fix 3 yet');
      }
      handled.push(event.data.text);
    });
    await start(failing);
    await waitFor(() => poisonTries >= 2, { timeoutMs: 45_000, describe: () => `Fix 3 tried ${poisonTries} times` });
    await failing.stop();
    expect(handled).toEqual(['Fix 0', 'Fix 1', 'Fix 2']);

    // A new process (its seen ids gone) in the same group: it starts at the failed event.
    const fixed = createSubscriber({ brokers, groupId, topics: [topic] }).on('newsroom.article.correction-issued.v1', (event) => void handled.push(event.data.text));
    await start(fixed);
    await waitFor(() => handled.length >= 5, { timeoutMs: 45_000, describe: () => handled.join(', ') });
    expect(handled).toEqual(['Fix 0', 'Fix 1', 'Fix 2', 'Fix 3', 'Fix 4']);
  });

  it('keeps its partitions and commits while a handler takes longer than the session timeout', async () => {
    const messages = corrections(2, 'Slow');
    const topic = await topicWith(messages);
    const groupId = uniqueName('g');
    const logger = memoryLogger();
    const handled: string[] = [];
    // 6 s is the shortest session the broker allows; each event takes 8 s.
    const slow = createSubscriber({ brokers, groupId, topics: [topic], sessionTimeoutMs: 6_000, logger }).on('newsroom.article.correction-issued.v1', async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      handled.push(event.data.text);
    });
    await start(slow);
    await waitFor(() => handled.length >= 2, { timeoutMs: 45_000, describe: () => handled.join(', ') });
    await slow.stop();
    expect(handled).toEqual(['Slow 0', 'Slow 1']);
    expect(logger.lines.filter((line) => /not aware of this member|rebalanc/i.test(line))).toEqual([]);

    // Committed: the group goes on after them.
    const late = cloudEventMessage({ type: 'newsroom.article.correction-issued.v1', data: correctionData(messages[0].key, 'Late'), streamVersion: 3 });
    await send(topic, [late]);
    const next = createSubscriber({ brokers, groupId, topics: [topic] }).on('newsroom.article.correction-issued.v1', (event) => void handled.push(event.data.text));
    await start(next);
    await waitFor(() => handled.length >= 3, { timeoutMs: 45_000, describe: () => handled.join(', ') });
    expect(handled).toEqual(['Slow 0', 'Slow 1', 'Late']);
  }, 90_000);

  it('stops after the event in hand, committing what it handled: the next member goes on from the next event', async () => {
    const messages = corrections(10);
    const topic = await topicWith(messages);
    const groupId = uniqueName('g');
    const handled: string[] = [];
    const slow = createSubscriber({ brokers, groupId, topics: [topic] }).on('newsroom.article.correction-issued.v1', async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      handled.push(event.data.text);
    });
    await start(slow);
    await waitFor(() => handled.length >= 2, { timeoutMs: 45_000, describe: () => handled.join(', ') });
    const stopping = Date.now();
    await slow.stop();
    // Not the 4 s the rest of the batch would take.
    expect(Date.now() - stopping).toBeLessThan(2_500);
    const handledBefore = handled.length;
    expect(handledBefore).toBeLessThan(10);

    const next = createSubscriber({ brokers, groupId, topics: [topic] }).on('newsroom.article.correction-issued.v1', (event) => void handled.push(event.data.text));
    await start(next);
    await waitFor(() => handled.length >= 10, { timeoutMs: 45_000, describe: () => handled.join(', ') });
    expect(handled).toEqual(messages.map((_, index) => `Fix ${index}`));
  });

  it('replays everything under a new group id', async () => {
    const messages = stories();
    const topic = await topicWith(messages);
    const count = async (groupId: string) => {
      const ids = new Set<string>();
      const subscriber = createSubscriber({ brokers, groupId, topics: [topic] }).on('newsroom.article.correction-issued.v1', (event) => void ids.add(event.id));
      await start(subscriber);
      await waitFor(() => ids.size >= 6, { timeoutMs: 45_000, describe: () => `${ids.size} of 6` });
      await subscriber.stop();
      return ids.size;
    };

    expect(await count(uniqueName('g'))).toBe(6);
    expect(await count(uniqueName('g-replay'))).toBe(6);
  });
});
