import type { SelectQueryBuilder } from 'typeorm';
import type { PublicFeedEntity } from '../public-feed.entity.js';

/** The raw column selectReactionsChangedAt adds: when the row's reaction counts last changed. */
export interface ReactionsChangedAt {
  reactions_changed_at: Date | null;
}

/**
 * For a query built with joinReactionCounts: the counts are part of every public body, so
 * their last change is part of its Last-Modified. Read it with getRawAndEntities.
 */
export const selectReactionsChangedAt = (query: SelectQueryBuilder<PublicFeedEntity>): SelectQueryBuilder<PublicFeedEntity> =>
  query.addSelect('reactions.updated_at', 'reactions_changed_at');

/** The latest of some times, null when there is none. */
export function latest(times: Iterable<Date | null | undefined>): Date | null {
  let result: Date | null = null;
  for (const time of times) if (time != null && (result === null || time > result)) result = time;
  return result;
}
