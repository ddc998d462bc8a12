/**
 * A downstream subscriber in a page: prints each story the newsroom publishes (headline and public
 * URL) and each correction (under the story's current headline), as they arrive on the article topic.
 *
 *   KAFKA_BROKERS=localhost:9092 npm run example:subscriber
 *
 * See README.md next to this file for the settings.
 */
import { pathToFileURL } from 'node:url';
import { NEWSROOM_TOPICS } from '#libs/contracts';
import type { KafkaLogger } from '#libs/kafka';
import { createSubscriber, type NewsroomSubscriber } from '#libs/subscriber';

export interface PrintPublishedOptions {
  brokers: string;
  groupId: string;
  /** The article topic; the contract's name unless the deployment renamed it. */
  topic: string;
  /** Where the newsroom serves its public pages, for the story URLs. */
  publicBaseUrl: string;
  print: (line: string) => void;
  /** Where skipped messages and failures are reported. */
  logger?: KafkaLogger;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv, print: (line: string) => void): PrintPublishedOptions {
  if (!env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not set: give the Kafka bootstrap brokers, e.g. KAFKA_BROKERS=localhost:9092');
  return {
    brokers: env.KAFKA_BROKERS,
    groupId: env.GROUP_ID || 'example-print-published',
    topic: env.KAFKA_TOPIC_ARTICLES || NEWSROOM_TOPICS.articles,
    publicBaseUrl: env.PUBLIC_BASE_URL || 'http://localhost:3000',
    print,
  };
}

/** Starts printing; resolves once the subscriber has joined its group. */
export async function printPublished(options: PrintPublishedOptions): Promise<NewsroomSubscriber> {
  const { print } = options;
  // Corrections carry only the article id: remember the headlines of the stories seen so far.
  const headlines = new Map<string, string>();
  const subscriber = createSubscriber({ brokers: options.brokers, groupId: options.groupId, topics: [options.topic], logger: options.logger })
    .on('newsroom.article.published.v1', ({ data }) => {
      headlines.set(data.articleId, data.headline);
      print(`PUBLISHED   ${data.headline}`);
      print(`            ${storyUrl(options.publicBaseUrl, data.slug)}`);
    })
    // A published story's headline may be revised: a correction then prints under the new one.
    .on('newsroom.article.revised.v1', ({ data }) => {
      if (data.changes.headline !== undefined && headlines.has(data.articleId)) headlines.set(data.articleId, data.changes.headline);
    })
    .on('newsroom.article.correction-issued.v1', ({ data }) => {
      const story = headlines.get(data.articleId) ?? `article ${data.articleId}`;
      print(`${data.kind === 'correction' ? 'CORRECTION ' : 'CLARIFIED  '} ${story}`);
      print(`            ${data.text}`);
    });
  await subscriber.start();
  return subscriber;
}

/** Same path as the service's public article page: /public/articles/<slug>. */
const storyUrl = (publicBaseUrl: string, slug: string): string =>
  `${publicBaseUrl.replace(/\/+$/, '')}/public/articles/${encodeURIComponent(slug)}`;

async function main(): Promise<void> {
  // Story lines go to stdout; what the subscriber skips or fails on goes to stderr (console.error).
  const options = { ...optionsFromEnv(process.env, (line) => console.log(line)), logger: { log: () => undefined, warn: console.error, error: console.error } };
  console.error(`Subscribing to ${options.topic} as group ${options.groupId} (Ctrl-C to stop)`);
  const subscriber = await printPublished(options);
  const stop = () => void subscriber.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Run as a program; imported (by its spec), it only exports.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
