import { REACTION_KINDS, type ReactionEventType } from '../reaction-events.js';
import { eventDataSchema, nonBlankText, timestamp, uuid, type JSONSchema } from './json-schema.js';

/** JSON Schemas of the data of the reaction stream events (the message value on `newsroom.reactions.v1`). */

const articleId = uuid('The article reacted to (also the message key and `ce_subject`).');
const readerId = nonBlankText('The opaque reader id the page keeps in a cookie (`X-Reader-Id`).');
const kind = (description: string): JSONSchema => ({ type: 'string', enum: REACTION_KINDS, description });

/** A change is always to another kind: the same kind again changes nothing and records no event. */
const kindDiffersFromPreviousKind: readonly JSONSchema[] = REACTION_KINDS.map((reaction) => ({
  properties: { kind: { const: reaction }, previousKind: { not: { const: reaction } } },
}));

export const REACTION_EVENT_SCHEMAS: Record<ReactionEventType, JSONSchema> = {
  ReactionAdded: eventDataSchema('ReactionAdded', 'A reader reacted to a published article for the first time (or again after removing).', {
    articleId,
    readerId,
    kind: kind('The reaction.'),
    reactedAt: timestamp('When.'),
  }),

  ReactionChanged: eventDataSchema(
    'ReactionChanged',
    'A reader switched to another reaction; counters move from previousKind to kind.',
    {
      articleId,
      readerId,
      kind: kind('The new reaction.'),
      previousKind: kind('The reaction it replaces.'),
      reactedAt: timestamp('When.'),
    },
    { anyOf: kindDiffersFromPreviousKind },
  ),

  ReactionRemoved: eventDataSchema('ReactionRemoved', 'A reader took their reaction back.', {
    articleId,
    readerId,
    previousKind: kind('The reaction removed.'),
    removedAt: timestamp('When.'),
  }),
};
