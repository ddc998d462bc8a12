import { randomUUID } from 'node:crypto';
import { KafkaClient } from '#libs/kafka';
import { uniqueName, waitFor } from '#libs/testing';
import { cloudEventMessage, correctionData, PEOPLE, publishedData } from '../../libs/subscriber/src/testing/cloud-event-messages.js';
import { optionsFromEnv, printPublished } from './print-published.js';

/** Runs the example against the real broker and reads what it prints. */
describe('examples/subscriber/print-published', () => {
  const brokers = process.env.KAFKA_BROKERS!;

  it('prints each published story with its URL, and each correction under its headline as revised', async () => {
    const kafka = new KafkaClient({ brokers, clientId: 'example-spec' });
    const topic = uniqueName('t-example');
    await kafka.ensureTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
    const articleId = randomUUID();
    const producer = kafka.createProducer();
    await producer.connect();
    await producer.sendBatch([
      {
        topic,
        messages: [
          cloudEventMessage({ type: 'newsroom.article.published.v1', data: publishedData(articleId, 'Xi presses Trump on Taiwan') }),
          cloudEventMessage({
            type: 'newsroom.article.revised.v1',
            data: { articleId, changes: { headline: 'Xi and Trump agree to meet' }, revisedBy: PEOPLE.erin, revisedAt: '2026-11-27T10:30:00.000Z' },
            streamVersion: 2,
          }),
          cloudEventMessage({ type: 'newsroom.article.correction-issued.v1', data: correctionData(articleId, 'The call lasted an hour.'), streamVersion: 3 }),
        ],
      },
    ]);
    await producer.disconnect();

    const lines: string[] = [];
    const options = optionsFromEnv(
      { KAFKA_BROKERS: brokers, GROUP_ID: uniqueName('example'), KAFKA_TOPIC_ARTICLES: topic, PUBLIC_BASE_URL: 'https://news.example/' },
      (line) => lines.push(line),
    );
    const subscriber = await printPublished(options);
    try {
      await waitFor(() => lines.length >= 4, { timeoutMs: 45_000, describe: () => lines.join('\n') });
    } finally {
      await subscriber.stop();
    }

    expect(lines).toEqual([
      'PUBLISHED   Xi presses Trump on Taiwan',
      `            https://news.example/public/articles/xi-presses-trump-on-taiwan-${articleId.slice(-8)}`,
      'CORRECTION  Xi and Trump agree to meet',
      '            The call lasted an hour.',
    ]);
  });

  it('names the setting it is missing, and defaults the others', () => {
    expect(() => optionsFromEnv({}, () => undefined)).toThrow(/KAFKA_BROKERS is not set/);
    expect(optionsFromEnv({ KAFKA_BROKERS: 'localhost:9092' }, () => undefined)).toMatchObject({
      groupId: 'example-print-published',
      topic: 'newsroom.article-events.v1',
      publicBaseUrl: 'http://localhost:3000',
    });
  });
});
