import type { ReactionKind } from '#libs/contracts';

/** Every command names its article, its reader and the time it happens: the decider reads no clock. */
type ReactionCommandOf<Type extends string, Data> = {
  type: Type;
  data: Data & { articleId: string; readerId: string; now: Date };
};

/** The reader's reaction becomes `kind` (whatever it was before). */
export type React = ReactionCommandOf<'React', { kind: ReactionKind }>;

/** The reader takes their reaction back. */
export type RemoveReaction = ReactionCommandOf<'RemoveReaction', object>;

export type ReactionCommand = React | RemoveReaction;
