import { ARTICLE_STREAM_TYPE, REACTION_STREAM_TYPE } from '#libs/contracts';
import type { AppConfig } from '../config/app-config.js';

/**
 * Both topics, with the configured partitions: created (if missing) by whichever worker gets there
 * first. Kept forever, so a subscriber can replay from the beginning; a single event (a long story)
 * may exceed the broker's default 1 MiB message size.
 */
export function topicSpecs(config: AppConfig) {
  const kafka = config.kafka!;
  return [kafka.topics.articles, kafka.topics.reactions].map((name) => ({
    name,
    partitions: kafka.partitions,
    replicationFactor: kafka.replicationFactor,
    configs: { 'retention.ms': '-1', 'max.message.bytes': String(8 * 1024 * 1024) },
  }));
}

/** The topic each stream type's events go to. */
export function topicOf(config: AppConfig, streamType: string): string {
  const topics = config.kafka!.topics;
  if (streamType === ARTICLE_STREAM_TYPE) return topics.articles;
  if (streamType === REACTION_STREAM_TYPE) return topics.reactions;
  throw new Error(`no topic for stream type ${streamType}`);
}
