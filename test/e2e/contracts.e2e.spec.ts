import {
  ARTICLE_CLOUD_EVENT_TYPES,
  CE_TYPES_BY_TOPIC,
  CLOUD_EVENT_HEADER_NAMES,
  NEWSROOM_CE_TYPES,
  REACTION_CLOUD_EVENT_TYPES,
  type ArticleEventType,
  type NewsroomTopic,
} from '#libs/contracts';
import type { IncomingMessage } from '#libs/kafka';
import { createSubscriber } from '#libs/subscriber';
import { createContractValidator } from '../../libs/contracts/src/schemas/contract-validator.js';
import { seedStory } from '../support/seed-story.js';
import { httpClient, startTestApp, STAFF, tokenOf, type TestApp } from '../support/test-app.js';
import { readTopics } from '../support/topic-reader.js';

const reporter = tokenOf(STAFF.reporter);
const editor = tokenOf(STAFF.editor);
const factChecker = tokenOf(STAFF.factChecker);

interface HistoryEntry {
  version: number;
  type: ArticleEventType;
  time: string;
  data: Record<string, unknown>;
  eventId: string;
  position: number;
}

/**
 * The public Kafka contract, checked on what the real service emits: a full workflow over HTTP,
 * then both topics read from the beginning. Every message must carry the contract's headers and
 * a value its ce_type's JSON Schema accepts, and match the article's history event for event.
 */
describe('Kafka contract: every emitted event validates', () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;
  const validator = createContractValidator();
  const articles: { id: string; history: HistoryEntry[] }[] = [];
  let reactionEvents = 0;
  let messages: { topic: NewsroomTopic; message: IncomingMessage }[];

  beforeAll(async () => {
    app = await startTestApp({ kafka: true, workers: true, env: { SCHEDULER_INTERVAL_MS: '100' } });
    http = httpClient(app.url);

    const scheduled = await seedStoryThroughEveryStep();
    const overridden = await publishedWithOverride();
    for (const id of [scheduled, overridden]) {
      const history = await http.get<{ events: HistoryEntry[] }>(`/articles/${id}/history`, { token: editor });
      articles.push({ id, history: history.body.events });
    }
    const expected = articles.reduce((sum, article) => sum + article.history.length, 0) + reactionEvents;
    messages = await readBothTopics((received) => new Set(received.map(({ message }) => message.headers.ce_id)).size >= expected);
  });
  afterAll(async () => app?.close());

  async function step(method: 'post' | 'patch' | 'delete', path: string, body: unknown, options: { token?: string; headers?: Record<string, string> }) {
    const response =
      method === 'delete' ? await http.delete(path, options) : await http[method](path, body, options);
    if (response.status >= 300) throw new Error(`${method.toUpperCase()} ${path} answered ${response.status}: ${response.text}`);
    return response.body;
  }

  /** The seed story through every article workflow event, the scheduler publishing it; reactions; retraction. */
  async function seedStoryThroughEveryStep(): Promise<string> {
    const { id } = await step('post', '/articles', { headline: seedStory.headline, body: seedStory.body, section: seedStory.section, tags: seedStory.tags }, { token: reporter });
    const withQuote = await step('post', `/articles/${id}/claims`, seedStory.claims[0], { token: reporter });
    const withoutQuote = await step('post', `/articles/${id}/claims`, { text: seedStory.claims[1].text }, { token: factChecker });
    await step('post', `/articles/${id}/submit`, undefined, { token: reporter });
    await step('post', `/articles/${id}/request-changes`, { reason: 'Attribute the tariff figures.' }, { token: editor });
    await step('patch', `/articles/${id}`, { standfirst: 'Xi raises Taiwan; both leaders plan state visits.', tags: ['china', 'us'] }, { token: reporter });
    await step('post', `/articles/${id}/submit`, undefined, { token: reporter });
    await step('post', `/articles/${id}/approve`, undefined, { token: editor });
    for (const [claim, rating] of [[withQuote, 'true'], [withoutQuote, 'mostly_true']] as const) {
      await step('post', `/articles/${id}/claims/${claim.claimId}/verdict`, {
        rating,
        explanation: 'Matches the White House and Xinhua readouts.',
        sources: ['https://www.whitehouse.gov/briefings-statements/', 'https://english.news.cn/'],
      }, { token: factChecker });
    }
    await step('post', `/articles/${id}/notes`, { text: 'Legal checked the Taiwan paragraph.' }, { token: factChecker });
    await step('post', `/articles/${id}/assign`, { userId: 'bob', as: 'reporter', name: 'Bob Osei' }, { token: editor });
    await step('post', `/articles/${id}/schedule`, { publishAt: new Date(Date.now() + 2500).toISOString() }, { token: editor });
    await waitUntilPublished(id);
    await step('post', `/articles/${id}/corrections`, { kind: 'correction', text: 'An earlier version misstated the length of the call.' }, { token: editor });
    await step('post', `/articles/${id}/corrections`, { kind: 'clarification', text: 'The call was initiated by Beijing.' }, { token: editor });
    await step('patch', `/articles/${id}`, { headline: `${seedStory.headline} (updated)` }, { token: editor });

    const react = (readerId: string, kind: string) =>
      step('post', `/public/articles/${id}/reactions`, { kind }, { headers: { 'x-reader-id': readerId } });
    await react('reader-0001', 'like');
    await react('reader-0001', 'love');
    await step('delete', `/public/articles/${id}/reactions`, undefined, { headers: { 'x-reader-id': 'reader-0001' } });
    await react('reader-0002', 'wow');
    reactionEvents = 4;

    await step('post', `/articles/${id}/retract`, { reason: 'The readout was disputed.' }, { token: editor });
    return id;
  }

  /** Published past the fact-check gate: an unverifiable claim and an editor's override reason. */
  async function publishedWithOverride(): Promise<string> {
    const { id } = await step('post', '/articles', { headline: 'Tariff truce holds, officials say', body: 'Officials said the truce holds.', section: 'business' }, { token: reporter });
    const claim = await step('post', `/articles/${id}/claims`, { text: 'The truce holds.' }, { token: reporter });
    await step('post', `/articles/${id}/claims/${claim.claimId}/verdict`, { rating: 'unverifiable', explanation: 'No public record yet.', sources: [] }, { token: factChecker });
    await step('post', `/articles/${id}/submit`, undefined, { token: reporter });
    await step('post', `/articles/${id}/approve`, undefined, { token: editor });
    await step('post', `/articles/${id}/publish`, { overrideReason: 'Attributed to officials; in the public interest.' }, { token: editor });
    return id;
  }

  async function waitUntilPublished(id: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const article = await http.get(`/articles/${id}`, { token: editor });
      if (article.body.status === 'published') return;
      if (Date.now() > deadline) throw new Error(`article ${id} was not published by the scheduler (status ${article.body.status})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function readBothTopics(
    enough: (received: { topic: NewsroomTopic; message: IncomingMessage }[]) => boolean,
  ): Promise<{ topic: NewsroomTopic; message: IncomingMessage }[]> {
    const topicOf = (name: string): NewsroomTopic => (name === app.topics.articles ? 'articles' : 'reactions');
    const withTopic = (message: IncomingMessage) => ({ topic: topicOf(message.topic), message });
    const messages = await readTopics([app.topics.articles, app.topics.reactions], (all) => enough(all.map(withTopic)));
    return messages.map(withTopic);
  }

  /** First delivery of each event (delivery is at-least-once). */
  const firstDeliveries = () => {
    const seen = new Set<string>();
    return messages.filter(({ message }) => {
      if (seen.has(message.headers.ce_id)) return false;
      seen.add(message.headers.ce_id);
      return true;
    });
  };

  it('publishes every event the workflow recorded, once or more', () => {
    const expected = articles.reduce((sum, article) => sum + article.history.length, 0) + reactionEvents;
    expect(firstDeliveries()).toHaveLength(expected);
  });

  it('gives every message all the contract headers, with valid values', () => {
    for (const { topic, message } of messages) {
      const where = `${message.topic}@${message.offset} (${message.headers.ce_type})`;
      expect({ where, missing: CLOUD_EVENT_HEADER_NAMES.filter((name) => !(name in message.headers)) }).toEqual({ where, missing: [] });
      expect({ where, errors: validator.headerErrors(topic, message.headers) }).toEqual({ where, errors: [] });
      expect({ where, specversion: message.headers.ce_specversion, contentType: message.headers['content-type'] }).toEqual({
        where,
        specversion: '1.0',
        contentType: 'application/json',
      });
      expect(NEWSROOM_CE_TYPES).toContain(message.headers.ce_type);
      expect(CE_TYPES_BY_TOPIC[topic]).toContain(message.headers.ce_type);
    }
  });

  it('keys every message by its article: key == ce_subject == data.articleId, and names its stream', () => {
    for (const { topic, message } of messages) {
      const data = JSON.parse(message.value!.toString('utf8'));
      const key = message.key?.toString('utf8');
      expect({ key, subject: message.headers.ce_subject, articleId: data.articleId }).toEqual({ key, subject: key, articleId: key });
      const streamId = topic === 'articles' ? `article-${key}` : `reaction-${key}:${data.readerId}`;
      expect(message.headers.ce_streamid).toBe(streamId);
    }
  });

  it('sends a value that validates against the JSON Schema of its ce_type', () => {
    for (const { message } of messages) {
      const data = JSON.parse(message.value!.toString('utf8'));
      const where = `${message.topic}@${message.offset} (${message.headers.ce_type})`;
      expect({ where, errors: validator.dataErrors(message.headers.ce_type, data) }).toEqual({ where, errors: [] });
    }
  });

  it('matches the article history event for event: ce_id, ce_type, version, position, time and data', () => {
    for (const { id, history } of articles) {
      const published = firstDeliveries()
        .filter(({ topic, message }) => topic === 'articles' && message.headers.ce_subject === id)
        .map(({ message }) => ({
          eventId: message.headers.ce_id,
          ceType: message.headers.ce_type,
          version: Number(message.headers.ce_streamversion),
          position: Number(message.headers.ce_position),
          time: message.headers.ce_time,
          data: JSON.parse(message.value!.toString('utf8')),
        }));
      expect(published).toEqual(
        history.map((event) => ({
          eventId: event.eventId,
          ceType: ARTICLE_CLOUD_EVENT_TYPES[event.type],
          version: event.version,
          position: event.position,
          time: event.time,
          data: event.data,
        })),
      );
    }
  });

  it('orders each stream by ce_streamversion, one by one from 1', () => {
    const versions = new Map<string, number[]>();
    for (const { message } of firstDeliveries()) {
      const stream = message.headers.ce_streamid;
      versions.set(stream, [...(versions.get(stream) ?? []), Number(message.headers.ce_streamversion)]);
    }
    for (const [stream, list] of versions) {
      expect({ stream, versions: list }).toEqual({ stream, versions: list.map((_, index) => index + 1) });
    }
  });

  it('emitted every ce_type of the article workflow and of reactions', () => {
    const types = new Set(messages.map(({ message }) => message.headers.ce_type));
    expect([...Object.values(ARTICLE_CLOUD_EVENT_TYPES), ...Object.values(REACTION_CLOUD_EVENT_TYPES)].filter((type) => !types.has(type))).toEqual([]);
    const published = firstDeliveries()
      .filter(({ message }) => message.headers.ce_type === 'newsroom.article.published.v1')
      .map(({ message }) => JSON.parse(message.value!.toString('utf8')));
    // Two articles may sit on two partitions: no order between them.
    expect(published).toHaveLength(2);
    expect(published).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scheduled: true, overrideReason: null }),
        expect.objectContaining({ scheduled: false, overrideReason: 'Attributed to officials; in the public interest.' }),
      ]),
    );
  });

  it('reaches a libs/subscriber subscriber: every event once, typed by its ce_type', async () => {
    const handled = new Map<string, string>();
    const subscriber = createSubscriber({
      brokers: process.env.KAFKA_BROKERS!,
      groupId: `contracts-e2e-subscriber-${Date.now()}`,
      topics: [app.topics.articles, app.topics.reactions],
      onUnknown: (event) => void handled.set(event.id, `unknown ${event.type}`),
    });
    for (const ceType of NEWSROOM_CE_TYPES) subscriber.on(ceType, (event) => void handled.set(event.id, event.type));
    await subscriber.start();
    const expected = firstDeliveries().length;
    try {
      const deadline = Date.now() + 30_000;
      while (handled.size < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await subscriber.stop();
    }
    expect(new Map(firstDeliveries().map(({ message }) => [message.headers.ce_id, message.headers.ce_type]))).toEqual(handled);
    expect(subscriber.stats).toMatchObject({ handled: expected, invalid: 0 });
  });
});
