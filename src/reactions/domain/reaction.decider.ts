import type { ReactionEvent, ReactionKind } from '#libs/contracts';
import type { ReactionCommand } from './reaction.commands.js';

/** One reader's reaction to one article: the kind they picked, or null when they have none. */
export type ReactionState = ReactionKind | null;

export const initialState = (): ReactionState => null;

/**
 * Every reaction event states the reader's whole reaction, so the state after an event does not
 * depend on the state before it: folding only the stream's last event gives the same state as
 * folding all of it (the handler relies on that to read one row, however long the stream grows).
 */
export function evolve(state: ReactionState, event: ReactionEvent): ReactionState {
  switch (event.type) {
    case 'ReactionAdded':
    case 'ReactionChanged':
      return event.data.kind;
    case 'ReactionRemoved':
      return null;
    default:
      return state;
  }
}

export const foldReaction = (events: readonly ReactionEvent[]): ReactionState => events.reduce(evolve, initialState());

/**
 * One reaction per reader per article: another kind replaces it, the same kind again and removing
 * a reaction that is not there change nothing (no events, so no write).
 */
export function decide(command: ReactionCommand, state: ReactionState): ReactionEvent[] {
  const { articleId, readerId, now } = command.data;
  switch (command.type) {
    case 'React': {
      const { kind } = command.data;
      if (state === kind) return [];
      const reactedAt = now.toISOString();
      if (state === null) return [{ type: 'ReactionAdded', data: { articleId, readerId, kind, reactedAt } }];
      return [{ type: 'ReactionChanged', data: { articleId, readerId, kind, previousKind: state, reactedAt } }];
    }
    case 'RemoveReaction':
      if (state === null) return [];
      return [{ type: 'ReactionRemoved', data: { articleId, readerId, previousKind: state, removedAt: now.toISOString() } }];
  }
}

export const reactionDecider = { decide, evolve, initialState };
