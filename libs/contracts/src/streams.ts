/**
 * The event store's streams: one per article, and one per (article, reader) for reactions, so
 * readers never contend on the article's stream. The stream type decides the Kafka topic; the
 * article id, whatever the stream, is the message key.
 */

export const ARTICLE_STREAM_TYPE = 'article';
export const REACTION_STREAM_TYPE = 'reaction';
export type StreamType = typeof ARTICLE_STREAM_TYPE | typeof REACTION_STREAM_TYPE;

export const articleStreamId = (articleId: string): string => `article-${articleId}`;

export const reactionStreamId = (articleId: string, readerId: string): string => `reaction-${articleId}:${readerId}`;

/** The `data.articleId` every article and reaction event carries; undefined when the data has none. */
export function articleIdOfData(data: unknown): string | undefined {
  const articleId = (data as { articleId?: unknown } | null | undefined)?.articleId;
  return typeof articleId === 'string' ? articleId : undefined;
}
