import type { SelectQueryBuilder } from 'typeorm';
import { REACTION_KINDS, zeroReactionCounts, type ReactionCounts } from '#libs/contracts';
import { ReactionCountsEntity } from '../reactions/index.js';
import type { PublicFeedEntity } from './public-feed.entity.js';

/*
 * THE place where reaction counts join the public side. Every public read (feed pages, the three
 * feed formats, the public article) builds its query through joinReactionCounts and reads the
 * counts through reactionsOf, and nothing else knows where counts come from.
 */

type WithReactionCounts = PublicFeedEntity & { reactionCounts?: ReactionCountsEntity | null };

/** Adds the reaction-counts projection's row to a query over the public feed (aliased `article`). */
export const joinReactionCounts = (query: SelectQueryBuilder<PublicFeedEntity>): SelectQueryBuilder<PublicFeedEntity> =>
  query.leftJoinAndMapOne('article.reactionCounts', ReactionCountsEntity, 'reactions', 'reactions.articleId = article.id');

/** The counts of an article loaded through joinReactionCounts (all zero when nobody reacted yet). */
export const reactionsOf = (article: PublicFeedEntity): ReactionCounts => {
  const row = (article as WithReactionCounts).reactionCounts;
  if (!row) return zeroReactionCounts();
  return Object.fromEntries(REACTION_KINDS.map((kind) => [kind, row[kind]])) as ReactionCounts;
};
