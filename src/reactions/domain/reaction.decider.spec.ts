import type { ReactionEvent } from '#libs/contracts';
import { DeciderSpecification } from '#libs/testing';
import type { ReactionCommand } from './reaction.commands.js';
import { foldReaction, reactionDecider } from './reaction.decider.js';

const articleId = '0199d0c4-5e3a-7b21-9f4e-6a1b2c3d4e5f';
const readerId = 'reader-0001';
const now = new Date('2025-12-02T10:00:00.000Z');
const at = now.toISOString();
const earlier = '2025-12-01T09:00:00.000Z';

const react = (kind: 'like' | 'love' | 'wow'): ReactionCommand => ({ type: 'React', data: { articleId, readerId, kind, now } });
const remove: ReactionCommand = { type: 'RemoveReaction', data: { articleId, readerId, now } };

const added = (kind: 'like' | 'love' | 'wow', reactedAt = earlier): ReactionEvent => ({
  type: 'ReactionAdded',
  data: { articleId, readerId, kind, reactedAt },
});
const changed = (previousKind: 'like' | 'love', kind: 'like' | 'love' | 'wow', reactedAt = earlier): ReactionEvent => ({
  type: 'ReactionChanged',
  data: { articleId, readerId, kind, previousKind, reactedAt },
});
const removed = (previousKind: 'like' | 'love' | 'wow', removedAt = earlier): ReactionEvent => ({
  type: 'ReactionRemoved',
  data: { articleId, readerId, previousKind, removedAt },
});

describe('reaction decider', () => {
  const given = DeciderSpecification.for(reactionDecider);

  describe('React', () => {
    it('adds the first reaction', () => {
      given([]).when(react('like')).then([added('like', at)]);
    });

    it('changes to another kind, naming the previous one', () => {
      given([added('like')]).when(react('love')).then([changed('like', 'love', at)]);
      given([added('like'), changed('like', 'love')]).when(react('wow')).then([
        { type: 'ReactionChanged', data: { articleId, readerId, kind: 'wow', previousKind: 'love', reactedAt: at } },
      ]);
    });

    it('changes nothing when the kind is the same', () => {
      given([added('like')]).when(react('like')).thenNothingHappened();
      given([added('like'), changed('like', 'love')]).when(react('love')).thenNothingHappened();
    });

    it('adds again after a removal', () => {
      given([added('like'), removed('like')]).when(react('wow')).then([added('wow', at)]);
    });
  });

  describe('RemoveReaction', () => {
    it('removes the current reaction, naming it', () => {
      given([added('like')]).when(remove).then([removed('like', at)]);
      given([added('like'), changed('like', 'love')]).when(remove).then([
        { type: 'ReactionRemoved', data: { articleId, readerId, previousKind: 'love', removedAt: at } },
      ]);
    });

    it('changes nothing when there is no reaction', () => {
      given([]).when(remove).thenNothingHappened();
      given([added('like'), removed('like')]).when(remove).thenNothingHappened();
    });
  });

  it('folds to the same state from the last event alone as from the whole stream', () => {
    const streams: ReactionEvent[][] = [
      [added('like')],
      [added('like'), changed('like', 'love')],
      [added('like'), changed('like', 'love'), removed('love')],
      [added('like'), removed('like'), added('wow')],
    ];
    for (const stream of streams) expect(foldReaction(stream.slice(-1))).toBe(foldReaction(stream));
    expect(foldReaction([])).toBeNull();
  });
});
