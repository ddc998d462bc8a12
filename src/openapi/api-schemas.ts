import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ARTICLE_CLOUD_EVENT_TYPES,
  ARTICLE_STATUSES,
  ASSIGNMENT_ROLES,
  CORRECTION_KINDS,
  FLAGGED_RATINGS,
  REACTION_KINDS,
  VERDICT_RATINGS,
  type ArticleStatus,
  type AssignmentRole,
  type CorrectionKind,
  type ReactionKind,
  type VerdictRating,
} from '#libs/contracts';
import { RATING_NAMES } from '../feed/render/claim-review.js';

/**
 * Documentation only: the shapes of answers, as OpenAPI schemas. Each mirrors the type the code
 * answers with (named beside it), field for field; test/e2e/openapi.e2e.spec.ts validates real
 * answers against them, refusing any field a schema does not name.
 */

const ARTICLE_EVENT_TYPES = Object.keys(ARTICLE_CLOUD_EVENT_TYPES);

export class FieldErrorSchema {
  @ApiProperty({ example: 'headline' })
  field!: string;

  @ApiProperty({ example: 'headline must not be blank' })
  message!: string;
}

/** What a retracted story answers in place of itself (410). */
export class RetractionNoticeSchema {
  @ApiProperty()
  headline!: string;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ format: 'date-time' })
  retractedAt!: string;
}

/** RFC 9457 problem details: the body of every error answer (`application/problem+json`). */
export class ProblemDetailsSchema {
  @ApiProperty({ format: 'uri', example: 'https://newsroom.dev/problems/validation-failed' })
  type!: string;

  @ApiProperty({ example: 'Invalid input' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request has invalid fields.' })
  detail!: string;

  @ApiPropertyOptional({ description: 'The request path', example: '/articles' })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorSchema], description: 'For 400: each invalid field' })
  errors?: FieldErrorSchema[];

  // Extension members (RFC 9457 §3.2) of particular answers.

  @ApiPropertyOptional({ enum: ARTICLE_STATUSES, description: "For 409 on an article: the status that refused the command" })
  currentStatus?: ArticleStatus;

  @ApiPropertyOptional({ type: () => [PublishGateProblemSchema], description: 'For 409 article.publish-gate: each claim that stops publishing' })
  problems?: PublishGateProblemSchema[];

  @ApiPropertyOptional({ type: RetractionNoticeSchema, description: 'For 410: the retraction notice' })
  retraction?: RetractionNoticeSchema;

  @ApiPropertyOptional({ type: 'integer', description: 'For 429: reactions allowed a minute' })
  limit?: number;

  @ApiPropertyOptional({ enum: ['reader', 'client address'], description: 'For 429: the limit that refused the request' })
  per?: 'reader' | 'client address';

  @ApiPropertyOptional({ type: 'integer', description: 'For 429: seconds until it lets a reaction through (as Retry-After)' })
  retryAfter?: number;
}

/** What every article write answers. */
export class WriteResultSchema {
  @ApiProperty({ format: 'uuid', description: 'The article' })
  id!: string;

  @ApiProperty({ type: 'integer', description: 'The article version after the write; send it back in If-Match', example: 3 })
  version!: number;

  @ApiProperty({ type: 'integer', description: 'Global position of the last event written; send it in X-Min-Position to read your write', example: 1042 })
  position!: number;
}

/** What a write that adds a claim answers. */
export class AddClaimResultSchema extends WriteResultSchema {
  @ApiProperty({ format: 'uuid', description: 'The new claim' })
  claimId!: string;
}

/** What a write that adds a correction answers. */
export class IssueCorrectionResultSchema extends WriteResultSchema {
  @ApiProperty({ format: 'uuid', description: 'The new correction' })
  correctionId!: string;
}

/** What a write that adds an editorial note answers. */
export class AddEditorialNoteResultSchema extends WriteResultSchema {
  @ApiProperty({ format: 'uuid', description: 'The new note' })
  noteId!: string;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces. Times are ISO 8601 strings in UTC; ids the service makes are UUIDs.
// ---------------------------------------------------------------------------------------------

/** A staff member as events record them: the token's `sub` and `name`. */
export class PersonSchema {
  @ApiProperty({ description: 'The staff id (`sub`)', example: 'alice' })
  id!: string;

  @ApiProperty({ example: 'Alice Chen' })
  name!: string;
}

/** All seven counts, zero when nobody reacted that way. */
export class ReactionCountsSchema {
  @ApiProperty({ type: 'integer', minimum: 0 })
  like!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  dislike!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  love!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  funny!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  angry!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  sad!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  wow!: number;
}

const NEXT_CURSOR = { type: String, nullable: true, description: 'Send as cursor for the next page; null on the last page' } as const;

// ---------------------------------------------------------------------------------------------
// GET /articles/:id: the editorial view (src/articles/queries/get-article/article.view.ts)
// ---------------------------------------------------------------------------------------------

export class VerdictSchema {
  @ApiProperty({ enum: VERDICT_RATINGS })
  rating!: VerdictRating;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5, nullable: true, description: 'schema.org ClaimReview ratingValue; null for unverifiable' })
  ratingValue!: number | null;

  @ApiProperty()
  explanation!: string;

  @ApiProperty({ type: 'array', items: { type: 'string', format: 'uri' } })
  sources!: string[];

  @ApiProperty({ type: () => PersonSchema })
  checkedBy!: PersonSchema;

  @ApiProperty({ format: 'date-time' })
  checkedAt!: string;
}

export class ClaimSchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  text!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The passage of the story that makes the claim' })
  quote!: string | null;

  @ApiProperty({ type: () => PersonSchema })
  addedBy!: PersonSchema;

  @ApiProperty({ format: 'date-time' })
  addedAt!: string;

  @ApiProperty({ type: () => VerdictSchema, nullable: true, description: 'The latest verdict; null until the claim is rated' })
  verdict!: VerdictSchema | null;
}

export class AssignmentSchema extends PersonSchema {
  @ApiProperty({ enum: ASSIGNMENT_ROLES })
  as!: AssignmentRole;

  @ApiProperty({ type: () => PersonSchema })
  assignedBy!: PersonSchema;

  @ApiProperty({ format: 'date-time' })
  assignedAt!: string;
}

export class CorrectionSchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: CORRECTION_KINDS })
  kind!: CorrectionKind;

  @ApiProperty()
  text!: string;

  @ApiProperty({ type: () => PersonSchema })
  issuedBy!: PersonSchema;

  @ApiProperty({ format: 'date-time' })
  issuedAt!: string;
}

export class EditorialNoteSchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  text!: string;

  @ApiProperty({ type: () => PersonSchema })
  author!: PersonSchema;

  @ApiProperty({ format: 'date-time' })
  addedAt!: string;
}

export class ChangeRequestSchema {
  @ApiProperty()
  reason!: string;

  @ApiProperty({ type: () => PersonSchema })
  requestedBy!: PersonSchema;

  @ApiProperty({ format: 'date-time' })
  requestedAt!: string;
}

export class RetractionSchema {
  @ApiProperty()
  reason!: string;

  @ApiProperty({ type: () => PersonSchema })
  retractedBy!: PersonSchema;

  @ApiProperty({ format: 'date-time' })
  retractedAt!: string;
}

/** A claim that stops publishing: `unrated`, or `flagged` with the rating that stops it. */
export class PublishGateProblemSchema {
  @ApiProperty({ format: 'uuid' })
  claimId!: string;

  @ApiProperty()
  text!: string;

  @ApiProperty({ enum: ['unrated', 'flagged'] })
  problem!: 'unrated' | 'flagged';

  @ApiPropertyOptional({ enum: FLAGGED_RATINGS, description: 'Only when flagged' })
  rating?: VerdictRating;
}

export class PublishGateSchema {
  @ApiProperty({ description: 'True when nothing stops publishing (approval aside)' })
  open!: boolean;

  @ApiProperty({ type: [PublishGateProblemSchema] })
  problems!: PublishGateProblemSchema[];
}

/** What staff see of an article: its content and state, its version, and what still stops publishing. */
export class ArticleViewSchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ARTICLE_STATUSES })
  status!: ArticleStatus;

  @ApiProperty()
  headline!: string;

  @ApiProperty({ type: String, nullable: true })
  standfirst!: string | null;

  @ApiProperty()
  body!: string;

  @ApiProperty()
  section!: string;

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty({ type: () => PersonSchema, description: 'The drafter' })
  author!: PersonSchema;

  @ApiProperty({ type: [PersonSchema], description: 'The byline: the drafter, then every person assigned as reporter' })
  authors!: PersonSchema[];

  @ApiProperty({ type: [AssignmentSchema] })
  assignees!: AssignmentSchema[];

  @ApiProperty({ type: [ClaimSchema] })
  claims!: ClaimSchema[];

  @ApiProperty({ type: () => ChangeRequestSchema, nullable: true, description: 'The latest reason an editor gave when sending the article back' })
  lastChangeRequest!: ChangeRequestSchema | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The pending schedule; null again once published' })
  publishAt!: string | null;

  @ApiProperty({ type: () => PersonSchema, nullable: true })
  scheduledBy!: PersonSchema | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  publishedAt!: string | null;

  @ApiProperty({ type: () => PersonSchema, nullable: true })
  publishedBy!: PersonSchema | null;

  @ApiProperty({ type: String, nullable: true, description: 'Made on the first publication and never changed after' })
  slug!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Set when an editor published past the fact-check gate' })
  overrideReason!: string | null;

  @ApiProperty({ type: [CorrectionSchema] })
  corrections!: CorrectionSchema[];

  @ApiProperty({ type: () => RetractionSchema, nullable: true })
  retraction!: RetractionSchema | null;

  @ApiProperty({ type: [EditorialNoteSchema] })
  notes!: EditorialNoteSchema[];

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', description: 'Time of the last event, whatever it was' })
  updatedAt!: string;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Also the ETag; send it back in If-Match' })
  version!: number;

  @ApiProperty({ type: () => PublishGateSchema })
  publishGate!: PublishGateSchema;
}

// ---------------------------------------------------------------------------------------------
// GET /articles/:id/history and /diff
// ---------------------------------------------------------------------------------------------

/** Who wrote an event: a staff member, the scheduler (`system:scheduler`) or a reader (`reader:<id>`). */
export class ActorSchema {
  @ApiProperty({ example: 'alice' })
  sub!: string;

  @ApiProperty({ example: 'Alice Chen' })
  name!: string;

  @ApiProperty({ type: [String], description: 'The staff roles of the token; none for the scheduler' })
  roles!: string[];
}

export class ArticleHistoryEntrySchema {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The stream version of the event' })
  version!: number;

  @ApiProperty({ enum: ARTICLE_EVENT_TYPES })
  type!: string;

  @ApiProperty({ format: 'date-time', description: 'When the event was recorded' })
  time!: string;

  @ApiProperty({ type: () => ActorSchema })
  actor!: ActorSchema;

  @ApiProperty({ type: 'object', additionalProperties: true, description: "The event's data, as the contract's event schemas describe it (asyncapi.yaml)" })
  data!: Record<string, unknown>;

  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Global position in the event log' })
  position!: number;
}

export class ArticleHistorySchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'The current version; also the ETag' })
  version!: number;

  @ApiProperty({ type: [ArticleHistoryEntrySchema], description: 'Every event, oldest first' })
  events!: ArticleHistoryEntrySchema[];
}

/** A run of text both versions share, or that only the newer (`added`) or the older (`removed`) has. */
export class TextChangeSchema {
  @ApiProperty()
  value!: string;

  @ApiPropertyOptional({ type: Boolean, enum: [true] })
  added?: true;

  @ApiPropertyOptional({ type: Boolean, enum: [true] })
  removed?: true;
}

/** Each field's word diff; null when the field did not change. */
export class ContentDiffSchema {
  @ApiProperty({ type: [TextChangeSchema], nullable: true })
  headline!: TextChangeSchema[] | null;

  @ApiProperty({ type: [TextChangeSchema], nullable: true, description: 'A missing standfirst counts as empty' })
  standfirst!: TextChangeSchema[] | null;

  @ApiProperty({ type: [TextChangeSchema], nullable: true, description: 'Past 1,000 word edits: all of the older body removed, all of the newer added' })
  body!: TextChangeSchema[] | null;
}

export class ArticleDiffSchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  from!: number;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Also the ETag' })
  to!: number;

  @ApiProperty({ type: () => ContentDiffSchema })
  changes!: ContentDiffSchema;
}

// ---------------------------------------------------------------------------------------------
// GET /board and GET /fact-checks/queue
// ---------------------------------------------------------------------------------------------

export class BoardAssigneeSchema extends PersonSchema {
  @ApiProperty({ enum: ASSIGNMENT_ROLES })
  as!: AssignmentRole;
}

export class ClaimCountsSchema {
  @ApiProperty({ type: 'integer', minimum: 0 })
  total!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Claims without a verdict' })
  pending!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Claims rated false, mostly_false or unverifiable' })
  flagged!: number;
}

export class BoardItemSchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  headline!: string;

  @ApiProperty()
  section!: string;

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty({ enum: ARTICLE_STATUSES })
  status!: ArticleStatus;

  @ApiProperty({ type: [PersonSchema] })
  authors!: PersonSchema[];

  @ApiProperty({ type: [BoardAssigneeSchema] })
  assignees!: BoardAssigneeSchema[];

  @ApiProperty({ type: () => ClaimCountsSchema })
  claims!: ClaimCountsSchema;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The pending schedule' })
  publishAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  version!: number;
}

export class BoardPageSchema {
  @ApiProperty({ type: [BoardItemSchema] })
  items!: BoardItemSchema[];

  @ApiProperty(NEXT_CURSOR)
  nextCursor!: string | null;
}

export class QueuedClaimSchema {
  @ApiProperty({ format: 'uuid' })
  articleId!: string;

  @ApiProperty()
  headline!: string;

  @ApiProperty({ enum: ARTICLE_STATUSES })
  articleStatus!: ArticleStatus;

  @ApiProperty({ format: 'uuid' })
  claimId!: string;

  @ApiProperty()
  text!: string;

  @ApiProperty({ type: String, nullable: true })
  quote!: string | null;

  @ApiProperty({ format: 'date-time' })
  addedAt!: string;

  @ApiProperty({ type: () => PersonSchema })
  addedBy!: PersonSchema;
}

export class FactCheckQueuePageSchema {
  @ApiProperty({ type: [QueuedClaimSchema], description: 'Oldest first' })
  items!: QueuedClaimSchema[];

  @ApiProperty(NEXT_CURSOR)
  nextCursor!: string | null;
}

// ---------------------------------------------------------------------------------------------
// Public reads: GET /feed, /public/articles/:slug (src/feed/public-article.ts), reactions
// ---------------------------------------------------------------------------------------------

/** Bylines are public; staff ids are not. */
export class PublicAuthorSchema {
  @ApiProperty({ example: 'Alice Chen' })
  name!: string;
}

export class PublicCorrectionSchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: CORRECTION_KINDS })
  kind!: CorrectionKind;

  @ApiProperty()
  text!: string;

  @ApiProperty({ format: 'date-time' })
  issuedAt!: string;
}

export class FeedItemSchema {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'xi-presses-trump-on-taiwan-0c1d2e3f' })
  slug!: string;

  @ApiProperty({ format: 'uri', description: 'The public page: /public/articles/{slug}' })
  url!: string;

  @ApiProperty()
  headline!: string;

  @ApiProperty({ type: String, nullable: true })
  standfirst!: string | null;

  @ApiProperty()
  section!: string;

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty({ type: [PublicAuthorSchema] })
  authors!: PublicAuthorSchema[];

  @ApiProperty({ format: 'date-time' })
  publishedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'Moves with every change readers see (a correction, a revision)' })
  updatedAt!: string;

  @ApiProperty({ type: [PublicCorrectionSchema] })
  corrections!: PublicCorrectionSchema[];

  @ApiProperty({ type: () => ReactionCountsSchema })
  reactions!: ReactionCountsSchema;
}

export class FeedPageSchema {
  @ApiProperty({ type: [FeedItemSchema], description: 'The latest to enter the feed first (see nextCursor)' })
  items!: FeedItemSchema[];

  @ApiProperty(NEXT_CURSOR)
  nextCursor!: string | null;
}

export class ClaimReviewAuthorSchema {
  @ApiProperty({ name: '@type', enum: ['Organization'] })
  type!: 'Organization';

  @ApiProperty({ example: 'Newsroom' })
  name!: string;
}

export class ClaimAppearanceSchema {
  @ApiProperty({ name: '@type', enum: ['CreativeWork'] })
  type!: 'CreativeWork';

  @ApiProperty({ format: 'uri', description: "The story's URL" })
  url!: string;
}

export class ReviewedClaimSchema {
  @ApiProperty({ name: '@type', enum: ['Claim'] })
  type!: 'Claim';

  @ApiProperty({ type: () => ClaimAppearanceSchema, description: 'Where the claim appears: the story' })
  appearance!: ClaimAppearanceSchema;
}

export class ClaimReviewRatingSchema {
  @ApiProperty({ name: '@type', enum: ['Rating'] })
  type!: 'Rating';

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 5, description: 'Absent for unverifiable, which has no place on the scale' })
  ratingValue?: number;

  @ApiProperty({ type: 'integer', enum: [5] })
  bestRating!: 5;

  @ApiProperty({ type: 'integer', enum: [1] })
  worstRating!: 1;

  @ApiProperty({ enum: Object.values(RATING_NAMES), description: 'The verdict in words' })
  alternateName!: string;
}

/** schema.org ClaimReview (JSON-LD), one per rated claim. */
export class ClaimReviewSchema {
  @ApiProperty({ name: '@context', enum: ['https://schema.org'] })
  context!: 'https://schema.org';

  @ApiProperty({ name: '@type', enum: ['ClaimReview'] })
  type!: 'ClaimReview';

  @ApiProperty({ format: 'uri', description: "The story's URL, with the claim's anchor on its page" })
  url!: string;

  @ApiProperty({ description: 'The claim' })
  claimReviewed!: string;

  @ApiProperty({ type: () => ReviewedClaimSchema })
  itemReviewed!: ReviewedClaimSchema;

  @ApiProperty({ format: 'date-time', description: 'When the verdict was given, or when the story was published if that was later' })
  datePublished!: string;

  @ApiProperty({ type: () => ClaimReviewAuthorSchema })
  author!: ClaimReviewAuthorSchema;

  @ApiProperty({ type: () => ClaimReviewRatingSchema })
  reviewRating!: ClaimReviewRatingSchema;

  @ApiPropertyOptional({ description: "The fact-checker's explanation (absent only from verdicts recorded before the feed kept them)" })
  reviewBody?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', format: 'uri' }, description: 'The sources of the evidence; absent when the verdict names none' })
  citation?: string[];
}

/** `GET /public/articles/:slug` as JSON: the feed item, the body, and a ClaimReview per rated claim. */
export class PublicArticleSchema extends FeedItemSchema {
  @ApiProperty()
  body!: string;

  @ApiProperty({ type: [ClaimReviewSchema] })
  claimReviews!: ClaimReviewSchema[];
}

/** What both reaction endpoints answer (src/reactions/reaction-stream.ts). */
export class ReactionAnswerSchema {
  @ApiProperty({ format: 'uuid' })
  articleId!: string;

  @ApiProperty({ type: () => ReactionCountsSchema, description: "The article's counts, with this reader's own reaction counted exactly once" })
  reactions!: ReactionCountsSchema;

  @ApiProperty({ enum: [...REACTION_KINDS, null], nullable: true, description: "The reader's reaction now; null when none" })
  yourReaction!: ReactionKind | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Global position of the event written, for X-Min-Position; null when nothing changed' })
  position!: number | null;
}

/** The JSON Feed extension of an item: what the feed's own fields cannot carry. */
export class JsonFeedNewsroomSchema {
  @ApiProperty({ format: 'uri', description: 'Where this extension is described (this schema)' })
  about!: string;

  @ApiProperty()
  slug!: string;

  @ApiProperty({ type: () => ReactionCountsSchema })
  reactions!: ReactionCountsSchema;

  @ApiProperty({ type: [PublicCorrectionSchema] })
  corrections!: PublicCorrectionSchema[];
}

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1), as `GET /feed.json` writes it. */
export class JsonFeedItemSchema {
  @ApiProperty({ description: "urn:uuid:<article id>: stable across every update", example: 'urn:uuid:0190a6f2-0000-7000-8000-000000000000' })
  id!: string;

  @ApiProperty({ format: 'uri' })
  url!: string;

  @ApiProperty({ description: 'The headline' })
  title!: string;

  @ApiPropertyOptional({ description: 'The standfirst, when the story has one' })
  summary?: string;

  @ApiProperty({ description: 'The story as HTML, corrections included' })
  content_html!: string;

  @ApiProperty({ format: 'date-time' })
  date_published!: string;

  @ApiProperty({ format: 'date-time' })
  date_modified!: string;

  @ApiProperty({ type: [PublicAuthorSchema] })
  authors!: PublicAuthorSchema[];

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty({ type: () => JsonFeedNewsroomSchema })
  _newsroom!: JsonFeedNewsroomSchema;
}

/** The feed's own author (the publisher), with its home page. */
export class JsonFeedAuthorSchema {
  @ApiProperty({ example: 'Newsroom' })
  name!: string;

  @ApiProperty({ format: 'uri' })
  url!: string;
}

export class JsonFeedSchema {
  @ApiProperty({ enum: ['https://jsonfeed.org/version/1.1'] })
  version!: string;

  @ApiProperty({ example: 'Newsroom' })
  title!: string;

  @ApiProperty({ format: 'uri' })
  home_page_url!: string;

  @ApiProperty({ format: 'uri' })
  feed_url!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ example: 'en' })
  language!: string;

  @ApiProperty({ type: [JsonFeedAuthorSchema] })
  authors!: JsonFeedAuthorSchema[];

  @ApiProperty({ type: [JsonFeedItemSchema], description: 'The newest stories, at most 50' })
  items!: JsonFeedItemSchema[];
}

// ---------------------------------------------------------------------------------------------
// Operations: /admin/projections
// ---------------------------------------------------------------------------------------------

export class ProjectionStatusSchema {
  @ApiProperty({ example: 'editor-board' })
  name!: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  eventsApplied!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastEventAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  updatedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  rebuiltAt!: string | null;

  @ApiProperty()
  rebuilding!: boolean;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Events parked in the dead letters' })
  parkedEvents!: number;
}

export class RebuildStartedSchema {
  @ApiProperty({ example: 'editor-board' })
  projection!: string;

  @ApiProperty({ enum: ['rebuilding'] })
  status!: 'rebuilding';
}

export class RebuildResultSchema {
  @ApiProperty({ example: 'editor-board' })
  projection!: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: "Events of the projection's stream types read from the log" })
  eventsRead!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  applied!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  parked!: number;

  @ApiProperty({ type: 'number', minimum: 0 })
  seconds!: number;
}
