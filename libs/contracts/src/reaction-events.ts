/**
 * Reaction stream events, on `newsroom.reactions.v1` (keyed by article id). One stream per
 * (article, reader): that is where "one reaction per reader per article" is decided, and it keeps
 * a popular article's readers from contending on one stream.
 */

/** The seven reactions of the "What's Your Reaction?" bar, in display order. */
export const REACTION_KINDS = ['like', 'dislike', 'love', 'funny', 'angry', 'sad', 'wow'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

export type ReactionCounts = Record<ReactionKind, number>;

export const zeroReactionCounts = (): ReactionCounts => ({ like: 0, dislike: 0, love: 0, funny: 0, angry: 0, sad: 0, wow: 0 });

export type ReactionAdded = {
  type: 'ReactionAdded';
  data: { articleId: string; readerId: string; kind: ReactionKind; reactedAt: string };
};

/** The reader switched to another kind; `previousKind` lets counters move without any lookup. */
export type ReactionChanged = {
  type: 'ReactionChanged';
  data: { articleId: string; readerId: string; kind: ReactionKind; previousKind: ReactionKind; reactedAt: string };
};

export type ReactionRemoved = {
  type: 'ReactionRemoved';
  data: { articleId: string; readerId: string; previousKind: ReactionKind; removedAt: string };
};

export type ReactionEvent = ReactionAdded | ReactionChanged | ReactionRemoved;
export type ReactionEventType = ReactionEvent['type'];

export const REACTION_CLOUD_EVENT_TYPES: Record<ReactionEventType, string> = {
  ReactionAdded: 'newsroom.reaction.added.v1',
  ReactionChanged: 'newsroom.reaction.changed.v1',
  ReactionRemoved: 'newsroom.reaction.removed.v1',
};
