import {
  ASSIGNMENT_ROLES,
  CORRECTION_KINDS,
  VERDICT_RATING_VALUES,
  VERDICT_RATINGS,
  type ArticleEventType,
} from '../article-events.js';
import { eventDataSchema, nonBlankText, timestamp, uuid, type JSONSchema } from './json-schema.js';

/**
 * JSON Schemas of the data of every article stream event (the Kafka message value on
 * `newsroom.article-events.v1`). They mirror the types in article-events.ts; the contract specs
 * validate samples typed with those types, so the two cannot drift apart unnoticed.
 *
 * Length limits of the HTTP input are not repeated here: they are input policy and may change,
 * while events already written must stay valid.
 */

const personSchema = (description: string): JSONSchema => ({
  type: 'object',
  description,
  required: ['id', 'name'],
  additionalProperties: false,
  properties: {
    id: nonBlankText('The staff member\'s id (the JWT `sub`), or `system:<name>` for a system actor.'),
    name: nonBlankText('Display name. A staff member assigned without a name, whom no earlier event of the article had named, carries their id here.'),
  },
});

const articleId = uuid('The article (also the message key and `ce_subject`).');

const content = {
  headline: nonBlankText(),
  standfirst: { type: ['string', 'null'], minLength: 1, pattern: '\\S', description: 'Summary under the headline; null when there is none.' },
  body: nonBlankText(),
  section: nonBlankText('Section name, e.g. `world`.'),
  tags: { type: 'array', items: nonBlankText(), uniqueItems: true, description: 'Tags in the order given, without duplicates.' },
} satisfies Record<string, JSONSchema>;

/** Only what a revision changed: each field optional, at least one present. */
const changedContent: JSONSchema = {
  type: 'object',
  description: 'The fields that changed, with their new values; fields that did not change are absent.',
  minProperties: 1,
  additionalProperties: false,
  properties: content,
};

const SLUG_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
const HTTP_URL_PATTERN = '^https?://';

/** A verdict's source: an absolute http(s) URI (RFC 3986; the API converts IRIs to URIs). */
export const SOURCE_URL_SCHEMA: JSONSchema = { type: 'string', format: 'uri', pattern: HTTP_URL_PATTERN };

/** A verdict's ratingValue follows from its rating (schema.org ClaimReview numbers); one branch per rating. */
const ratingValueMatchesRating: readonly JSONSchema[] = VERDICT_RATINGS.map((rating) => ({
  properties: { rating: { const: rating }, ratingValue: { const: VERDICT_RATING_VALUES[rating] } },
}));

export const ARTICLE_EVENT_SCHEMAS: Record<ArticleEventType, JSONSchema> = {
  ArticleDrafted: eventDataSchema('ArticleDrafted', 'A reporter or editor started a new article; it is a draft.', {
    articleId,
    ...content,
    author: personSchema('Who drafted it.'),
    draftedAt: timestamp('When it was drafted.'),
  }),

  ArticleRevised: eventDataSchema('ArticleRevised', 'The headline, standfirst, body, section or tags changed.', {
    articleId,
    changes: changedContent,
    revisedBy: personSchema('Who revised it.'),
    revisedAt: timestamp('When.'),
  }),

  ArticleSubmitted: eventDataSchema('ArticleSubmitted', 'An author submitted the article for review; it is in review.', {
    articleId,
    submittedBy: personSchema('The author who submitted it.'),
    submittedAt: timestamp('When.'),
  }),

  ChangesRequested: eventDataSchema('ChangesRequested', 'An editor sent the article back to its authors.', {
    articleId,
    reason: nonBlankText('What needs to change.'),
    requestedBy: personSchema('The editor.'),
    requestedAt: timestamp('When.'),
  }),

  ArticleApproved: eventDataSchema('ArticleApproved', 'An editor approved the article for publication.', {
    articleId,
    approvedBy: personSchema('The editor.'),
    approvedAt: timestamp('When.'),
  }),

  ClaimAdded: eventDataSchema('ClaimAdded', 'A claim in the article was put up for fact-checking.', {
    articleId,
    claimId: uuid('The claim.'),
    text: nonBlankText('The claim as stated.'),
    quote: { type: ['string', 'null'], minLength: 1, pattern: '\\S', description: 'The passage of the article it comes from; null when not given.' },
    addedBy: personSchema('Who added it.'),
    addedAt: timestamp('When.'),
  }),

  FactChecked: eventDataSchema(
    'FactChecked',
    'A fact-checker rated a claim. A later verdict on the same claim replaces the earlier one.',
    {
      articleId,
      claimId: uuid('The claim.'),
      rating: { type: 'string', enum: VERDICT_RATINGS, description: 'The verdict.' },
      ratingValue: {
        type: ['integer', 'null'],
        minimum: 1,
        maximum: 5,
        description: 'schema.org ClaimReview ratingValue (5 best, 1 worst); null for `unverifiable`.',
      },
      explanation: nonBlankText('Why.'),
      sources: {
        type: 'array',
        items: SOURCE_URL_SCHEMA,
        description: 'http(s) URLs the verdict rests on.',
      },
      checkedBy: personSchema('The fact-checker.'),
      checkedAt: timestamp('When.'),
    },
    { anyOf: ratingValueMatchesRating },
  ),

  PublishScheduled: eventDataSchema('PublishScheduled', 'An editor scheduled the approved article; Published follows at publishAt.', {
    articleId,
    publishAt: timestamp('When it is to be published.'),
    scheduledBy: personSchema('The editor.'),
    scheduledAt: timestamp('When it was scheduled.'),
  }),

  Published: eventDataSchema(
    'Published',
    'The article is public. Carries the whole story as published; later ArticleRevised and CorrectionIssued events change it, so a subscriber that shows the story applies them too.',
    {
      articleId,
      ...content,
      slug: { type: 'string', pattern: SLUG_PATTERN, description: 'Path segment of the public URL: /public/articles/<slug>. Stable once published.' },
      authors: { type: 'array', minItems: 1, items: personSchema('An author.'), description: 'The drafter, then reporters assigned later.' },
      publishedAt: timestamp('When.'),
      publishedBy: personSchema('The editor who published it (or who scheduled it).'),
      overrideReason: {
        type: ['string', 'null'],
        minLength: 1,
        pattern: '\\S',
        description: 'Set when an editor published past the fact-check gate; null otherwise.',
      },
      scheduled: { type: 'boolean', description: 'True when the scheduler published it at the scheduled time.' },
    },
  ),

  CorrectionIssued: eventDataSchema('CorrectionIssued', 'An editor appended a correction or clarification to the published article.', {
    articleId,
    correctionId: uuid('The correction.'),
    kind: { type: 'string', enum: CORRECTION_KINDS },
    text: nonBlankText('The notice as readers see it.'),
    issuedBy: personSchema('The editor.'),
    issuedAt: timestamp('When.'),
  }),

  ArticleRetracted: eventDataSchema('ArticleRetracted', 'An editor retracted the published article (final).', {
    articleId,
    reason: nonBlankText('The retraction notice.'),
    retractedBy: personSchema('The editor.'),
    retractedAt: timestamp('When.'),
  }),

  EditorialNoteAdded: eventDataSchema('EditorialNoteAdded', 'A staff member left an internal note on the article.', {
    articleId,
    noteId: uuid('The note.'),
    text: nonBlankText(),
    author: personSchema('Who wrote the note.'),
    addedAt: timestamp('When.'),
  }),

  ArticleAssigned: eventDataSchema('ArticleAssigned', 'An editor assigned a staff member to the article.', {
    articleId,
    assignee: personSchema('Who was assigned.'),
    as: { type: 'string', enum: ASSIGNMENT_ROLES, description: 'In which role; a reporter becomes an author.' },
    assignedBy: personSchema('The editor.'),
    assignedAt: timestamp('When.'),
  }),
};
