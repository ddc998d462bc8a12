/**
 * Article stream events: the public data of every event on `newsroom.article-events.v1`.
 * Names are stable strings; renaming a class never changes what subscribers see.
 * Every payload carries `articleId` so a subscriber needs nothing but the message value.
 */

export const ARTICLE_STATUSES = [
  'draft',
  'in_review',
  'changes_requested',
  'approved',
  'scheduled',
  'published',
  'retracted',
] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

export const VERDICT_RATINGS = ['true', 'mostly_true', 'half_true', 'mostly_false', 'false', 'unverifiable'] as const;
export type VerdictRating = (typeof VERDICT_RATINGS)[number];

/** schema.org ClaimReview ratingValue per verdict; `unverifiable` has none. */
export const VERDICT_RATING_VALUES: Record<VerdictRating, number | null> = {
  true: 5,
  mostly_true: 4,
  half_true: 3,
  mostly_false: 2,
  false: 1,
  unverifiable: null,
};

/** Ratings that stop the publish gate unless an editor gives an override reason. */
export const FLAGGED_RATINGS: readonly VerdictRating[] = ['false', 'mostly_false', 'unverifiable'];

export const ASSIGNMENT_ROLES = ['reporter', 'editor', 'fact_checker'] as const;
export type AssignmentRole = (typeof ASSIGNMENT_ROLES)[number];

export const CORRECTION_KINDS = ['correction', 'clarification'] as const;
export type CorrectionKind = (typeof CORRECTION_KINDS)[number];

export interface Person {
  id: string;
  name: string;
}

export interface ArticleContent {
  headline: string;
  standfirst: string | null;
  body: string;
  section: string;
  tags: string[];
}

export type ArticleDrafted = {
  type: 'ArticleDrafted';
  data: ArticleContent & { articleId: string; author: Person; draftedAt: string };
};

/** Only the fields that changed are present. */
export type ArticleRevised = {
  type: 'ArticleRevised';
  data: { articleId: string; changes: Partial<ArticleContent>; revisedBy: Person; revisedAt: string };
};

export type ArticleSubmitted = {
  type: 'ArticleSubmitted';
  data: { articleId: string; submittedBy: Person; submittedAt: string };
};

export type ChangesRequested = {
  type: 'ChangesRequested';
  data: { articleId: string; reason: string; requestedBy: Person; requestedAt: string };
};

export type ArticleApproved = {
  type: 'ArticleApproved';
  data: { articleId: string; approvedBy: Person; approvedAt: string };
};

export type ClaimAdded = {
  type: 'ClaimAdded';
  data: { articleId: string; claimId: string; text: string; quote: string | null; addedBy: Person; addedAt: string };
};

export type FactChecked = {
  type: 'FactChecked';
  data: {
    articleId: string;
    claimId: string;
    rating: VerdictRating;
    /** schema.org ClaimReview ratingValue (5 best, 1 worst); null for `unverifiable`. */
    ratingValue: number | null;
    explanation: string;
    sources: string[];
    checkedBy: Person;
    checkedAt: string;
  };
};

export type PublishScheduled = {
  type: 'PublishScheduled';
  data: { articleId: string; publishAt: string; scheduledBy: Person; scheduledAt: string };
};

/** Carries the published content so a subscriber can render the story from this event alone. */
export type Published = {
  type: 'Published';
  data: ArticleContent & {
    articleId: string;
    slug: string;
    authors: Person[];
    publishedAt: string;
    publishedBy: Person;
    /** Set when an editor published past the fact-check gate. */
    overrideReason: string | null;
    /** True when the scheduler published at the scheduled time. */
    scheduled: boolean;
  };
};

export type CorrectionIssued = {
  type: 'CorrectionIssued';
  data: { articleId: string; correctionId: string; kind: CorrectionKind; text: string; issuedBy: Person; issuedAt: string };
};

export type ArticleRetracted = {
  type: 'ArticleRetracted';
  data: { articleId: string; reason: string; retractedBy: Person; retractedAt: string };
};

export type EditorialNoteAdded = {
  type: 'EditorialNoteAdded';
  data: { articleId: string; noteId: string; text: string; author: Person; addedAt: string };
};

export type ArticleAssigned = {
  type: 'ArticleAssigned';
  data: { articleId: string; assignee: Person; as: AssignmentRole; assignedBy: Person; assignedAt: string };
};

export type ArticleEvent =
  | ArticleDrafted
  | ArticleRevised
  | ArticleSubmitted
  | ChangesRequested
  | ArticleApproved
  | ClaimAdded
  | FactChecked
  | PublishScheduled
  | Published
  | CorrectionIssued
  | ArticleRetracted
  | EditorialNoteAdded
  | ArticleAssigned;

export type ArticleEventType = ArticleEvent['type'];

/** CloudEvents `ce_type` of each article stream event, as the public contract names them. */
export const ARTICLE_CLOUD_EVENT_TYPES: Record<ArticleEventType, string> = {
  ArticleDrafted: 'newsroom.article.drafted.v1',
  ArticleRevised: 'newsroom.article.revised.v1',
  ArticleSubmitted: 'newsroom.article.submitted.v1',
  ChangesRequested: 'newsroom.article.changes-requested.v1',
  ArticleApproved: 'newsroom.article.approved.v1',
  PublishScheduled: 'newsroom.article.publish-scheduled.v1',
  Published: 'newsroom.article.published.v1',
  CorrectionIssued: 'newsroom.article.correction-issued.v1',
  ArticleRetracted: 'newsroom.article.retracted.v1',
  EditorialNoteAdded: 'newsroom.article.note-added.v1',
  ArticleAssigned: 'newsroom.article.assigned.v1',
  ClaimAdded: 'newsroom.claim.added.v1',
  FactChecked: 'newsroom.claim.fact-checked.v1',
};
