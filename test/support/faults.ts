import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { readTopics } from './topic-reader.js';
import { httpClient, TEST_JWT_SECRET, type HttpResult } from './test-app.js';
import { TOKENS, workflow } from './workflow.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const KINDS = ['like', 'dislike', 'love', 'funny', 'angry', 'sad', 'wow'];

/** What fault specs need to run the whole service (API and workers) on a database and broker of their choosing. */
export function serviceWithKafka(databaseUrl: string, brokers: string): { env: Record<string, string>; topics: { articles: string; reactions: string } } {
  const suffix = uuidv7().slice(-12);
  const topics = { articles: `test.article-events.${suffix}`, reactions: `test.reactions.${suffix}` };
  return {
    topics,
    env: {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_ARTICLES: topics.articles,
      KAFKA_TOPIC_REACTIONS: topics.reactions,
      KAFKA_GROUP_PREFIX: `test.${suffix}`,
      KAFKA_TOPIC_PARTITIONS: '3',
      JWT_SECRET: TEST_JWT_SECRET,
      // The load comes from one address.
      REACTION_RATE_PER_ADDRESS: '100000',
    },
  };
}

/** One answer of the load, kept to check afterwards what was acknowledged and what was refused. */
export interface Outcome {
  what: 'draft' | 'note' | 'reaction';
  status: number;
  body: { position?: number | null; type?: string } | undefined;
  retryAfter: string | null;
  at: number;
}

/** Published stories for readers to react to. */
export async function publishedStories(http: ReturnType<typeof httpClient>, count: number): Promise<string[]> {
  const steps = workflow(http);
  const stories: string[] = [];
  for (let i = 0; i < count; i++) {
    const { id } = await steps.draft({ headline: `Story read through a fault ${i}` });
    await steps.submit(id);
    await steps.approve(id);
    await steps.publish(id);
    stories.push(id);
  }
  return stories;
}

/**
 * Load for fault specs: two staff members draft stories and add notes, four readers' streams of
 * reactions (a new reader each time) hit the stories, until `until()`. Every answer is kept.
 */
export async function newsroomLoad(http: ReturnType<typeof httpClient>, stories: string[], until: () => boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const record = (what: Outcome['what'], response: HttpResult) =>
    outcomes.push({ what, status: response.status, body: response.body, retryAfter: response.headers.get('retry-after'), at: Date.now() });
  let reader = 0;
  const staff = async () => {
    while (!until()) {
      const drafted = await http.post('/articles', { headline: `Written through a fault ${outcomes.length}`, body: 'Body.', section: 'world' }, { token: TOKENS.reporter });
      record('draft', drafted);
      if (drafted.status === 201) record('note', await http.post(`/articles/${drafted.body.id}/notes`, { text: 'Checked.' }, { token: TOKENS.factChecker }));
      else await sleep(50);
    }
  };
  const readers = async () => {
    while (!until()) {
      const n = reader++;
      const response = await http.post(
        `/public/articles/${stories[n % stories.length]}/reactions`,
        { kind: KINDS[n % KINDS.length] },
        { headers: { 'x-reader-id': `reader-fault-${String(n).padStart(6, '0')}` } },
      );
      record('reaction', response);
      if (response.status >= 500) await sleep(50);
    }
  };
  await Promise.all([staff(), staff(), readers(), readers(), readers(), readers()]);
  return outcomes;
}

/** The write answers that carry a position: what the service acknowledged. */
export const acknowledged = (outcomes: Outcome[]): Outcome[] =>
  outcomes.filter((outcome) => outcome.status < 300 && typeof outcome.body?.position === 'number');

/** Acknowledged writes whose event is not in the store (after a fault: there must be none). */
export async function missingWrites(dataSource: DataSource, written: Outcome[]): Promise<number[]> {
  const positions = written.map((outcome) => outcome.body!.position!);
  const rows: { position: string }[] = await dataSource.query('SELECT position FROM events WHERE position = ANY($1::bigint[])', [positions]);
  const stored = new Set(rows.map((row) => Number(row.position)));
  return positions.filter((position) => !stored.has(position));
}

/** The ids of stored events that never arrived on their topic (delivery is at-least-once: repeats are fine). */
export async function eventsMissingOnKafka(
  dataSource: DataSource,
  topics: { articles: string; reactions: string },
  brokers: string,
): Promise<{ articles: string[]; reactions: string[] }> {
  const events: { event_id: string; stream_type: string }[] = await dataSource.query('SELECT event_id, stream_type FROM events');
  const missingOn = async (topic: string, ofTopic: (streamType: string) => boolean) => {
    const wanted = events.filter((event) => ofTopic(event.stream_type)).map((event) => event.event_id);
    const messages = await readTopics([topic], (all) => new Set(all.map((m) => m.headers.ce_id)).size >= wanted.length, 90_000, brokers);
    const delivered = new Set(messages.map((message) => message.headers.ce_id));
    return wanted.filter((id) => !delivered.has(id));
  };
  return {
    articles: await missingOn(topics.articles, (type) => type !== 'reaction'),
    reactions: await missingOn(topics.reactions, (type) => type === 'reaction'),
  };
}
