import {
  FLAGGED_RATINGS,
  type ArticleAssigned,
  type ArticleEvent,
  type ArticleStatus,
  type Person,
  type VerdictRating,
} from './article-events.js';

/**
 * What an article event means for the fields every fold of an article stream keeps: status, time
 * and byline. The decider and each read model fold the stream their own way; on these they must
 * agree, and a downstream subscriber folding the topic gets the same answers.
 */

/** The status the article has after `event`; events outside the workflow leave it as it was. */
export function statusAfter(status: ArticleStatus, event: ArticleEvent): ArticleStatus {
  switch (event.type) {
    case 'ArticleDrafted':
      return 'draft';
    case 'ArticleSubmitted':
      return 'in_review';
    case 'ChangesRequested':
      return 'changes_requested';
    case 'ArticleApproved':
      return 'approved';
    case 'PublishScheduled':
      return 'scheduled';
    case 'Published':
      return 'published';
    case 'ArticleRetracted':
      return 'retracted';
    case 'ArticleRevised':
    case 'ClaimAdded':
    case 'FactChecked':
    case 'CorrectionIssued':
    case 'EditorialNoteAdded':
    case 'ArticleAssigned':
      return status;
  }
}

/** When the event happened, from its own data (not when it was recorded). */
export function occurredAt(event: ArticleEvent): string {
  switch (event.type) {
    case 'ArticleDrafted':
      return event.data.draftedAt;
    case 'ArticleRevised':
      return event.data.revisedAt;
    case 'ArticleSubmitted':
      return event.data.submittedAt;
    case 'ChangesRequested':
      return event.data.requestedAt;
    case 'ArticleApproved':
      return event.data.approvedAt;
    case 'ClaimAdded':
    case 'EditorialNoteAdded':
      return event.data.addedAt;
    case 'FactChecked':
      return event.data.checkedAt;
    case 'PublishScheduled':
      return event.data.scheduledAt;
    case 'Published':
      return event.data.publishedAt;
    case 'CorrectionIssued':
      return event.data.issuedAt;
    case 'ArticleRetracted':
      return event.data.retractedAt;
    case 'ArticleAssigned':
      return event.data.assignedAt;
  }
}

/**
 * The byline after an assignment: a person assigned as reporter joins the authors, once. Returns
 * `authors` itself when it does not change, so a caller can tell by identity.
 */
export function authorsAfterAssignment(
  authors: Person[],
  { assignee, as }: Pick<ArticleAssigned['data'], 'assignee' | 'as'>,
): Person[] {
  if (as !== 'reporter' || authors.some((author) => author.id === assignee.id)) return authors;
  return [...authors, { id: assignee.id, name: assignee.name }];
}

/** Who did what the event records (for Published by the scheduler: the editor who scheduled it). */
export function actorOf(event: ArticleEvent): Person {
  switch (event.type) {
    case 'ArticleDrafted':
      return event.data.author;
    case 'ArticleRevised':
      return event.data.revisedBy;
    case 'ArticleSubmitted':
      return event.data.submittedBy;
    case 'ChangesRequested':
      return event.data.requestedBy;
    case 'ArticleApproved':
      return event.data.approvedBy;
    case 'ClaimAdded':
      return event.data.addedBy;
    case 'FactChecked':
      return event.data.checkedBy;
    case 'PublishScheduled':
      return event.data.scheduledBy;
    case 'Published':
      return event.data.publishedBy;
    case 'CorrectionIssued':
      return event.data.issuedBy;
    case 'ArticleRetracted':
      return event.data.retractedBy;
    case 'EditorialNoteAdded':
      return event.data.author;
    case 'ArticleAssigned':
      return event.data.assignedBy;
  }
}

/**
 * The byline after any event. An assignment as reporter adds an author (authorsAfterAssignment).
 * An author known by id alone (assigned without a name, so named by their id) gets a name as soon
 * as the article's events show one for that id, typically when they first act on it: readers see
 * "Dave Smith", not "dave". A name once known stays (a byline does not follow later renames).
 * Returns `authors` itself when it does not change, so a caller can tell by identity.
 */
export function authorsAfter(authors: Person[], event: ArticleEvent): Person[] {
  if (event.type !== 'ArticleAssigned') return withNameOf(authors, actorOf(event));
  return withNameOf(withNameOf(authorsAfterAssignment(authors, event.data), event.data.assignee), event.data.assignedBy);
}

/**
 * The byline with the name of `person` given to the author known by their id alone, if any (see
 * authorsAfter). Returns `authors` itself when it does not change.
 */
export function withNameOf(authors: Person[], person: Person): Person[] {
  if (person.name === person.id) return authors;
  const index = authors.findIndex((author) => author.id === person.id && author.name === author.id);
  return index === -1 ? authors : authors.map((author, i) => (i === index ? { id: author.id, name: person.name } : author));
}

/** A rating that stops the publish gate (false, mostly_false, unverifiable) unless overridden. */
export const isFlagged = (rating: VerdictRating): boolean => FLAGGED_RATINGS.includes(rating);
