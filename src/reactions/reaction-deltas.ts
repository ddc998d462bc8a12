import { REACTION_KINDS, type ReactionEvent, type ReactionKind } from '#libs/contracts';

const KIND_INDEX = Object.fromEntries(REACTION_KINDS.map((kind, index) => [kind, index])) as Record<ReactionKind, number>;

/** What a batch does to one article's counters: one delta per kind (REACTION_KINDS order), and when. */
export interface ArticleDelta {
  deltas: number[];
  /** Time of the article's latest event in the batch (the row's updated_at). */
  lastEventAt: Date;
}

/** The part of a projected event that moves counters. */
export type CountedEvent = ReactionEvent & { recordedAt: Date };

/**
 * Sums a batch's reaction events per article: Added +1 kind, Changed -1 previous +1 kind,
 * Removed -1 previous. Pure, so a batch of any size becomes one row per article. Unknown event
 * types (a newer contract) move nothing.
 */
export function reactionDeltas(events: readonly CountedEvent[]): Map<string, ArticleDelta> {
  const byArticle = new Map<string, ArticleDelta>();
  for (const event of events) {
    let article = byArticle.get(event.data.articleId);
    if (article === undefined) {
      article = { deltas: [0, 0, 0, 0, 0, 0, 0], lastEventAt: event.recordedAt };
      byArticle.set(event.data.articleId, article);
    }
    switch (event.type) {
      case 'ReactionAdded':
        article.deltas[KIND_INDEX[event.data.kind]] += 1;
        break;
      case 'ReactionChanged':
        article.deltas[KIND_INDEX[event.data.previousKind]] -= 1;
        article.deltas[KIND_INDEX[event.data.kind]] += 1;
        break;
      case 'ReactionRemoved':
        article.deltas[KIND_INDEX[event.data.previousKind]] -= 1;
        break;
      default:
        continue;
    }
    if (event.recordedAt > article.lastEventAt) article.lastEventAt = event.recordedAt;
  }
  return byArticle;
}
