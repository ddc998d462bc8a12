import type { SelectQueryBuilder } from 'typeorm';
import { zeroReactionCounts, type ReactionCounts } from '#libs/contracts';
import type { PublicFeedEntity } from './public-feed.entity.js';

/*
 * THE place where reaction counts join the public side. Every public read (feed pages, the three
 * feed formats, the public article) builds its query through joinReactionCounts and reads the
 * counts through reactionsOf, and nothing else knows where counts come from.
 *
 * Until the reactions projection exists every count is 0. To plug it in (issue 4: a
 * `reaction_counts` table keyed by article id, one column per kind): LEFT JOIN that table here,
 * e.g. `query.leftJoinAndMapOne('article.reactionCounts', ReactionCountsEntity, 'reactions',
 * 'reactions.articleId = article.id')`, and make reactionsOf read the joined row, falling back to
 * zeroReactionCounts() for an article nobody has reacted to.
 */

/** Adds the reaction counts to a query over the public feed (aliased `article`). */
export const joinReactionCounts = (query: SelectQueryBuilder<PublicFeedEntity>): SelectQueryBuilder<PublicFeedEntity> => query;

/** The counts of an article loaded through joinReactionCounts. */
export const reactionsOf = (_article: PublicFeedEntity): ReactionCounts => zeroReactionCounts();
