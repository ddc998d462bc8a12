import slugify from '@sindresorhus/slugify';
import {
  actorOf,
  ARTICLE_CLOUD_EVENT_TYPES,
  ASSIGNMENT_ROLES,
  authorsAfter,
  withNameOf,
  CORRECTION_KINDS,
  isFlagged,
  occurredAt,
  statusAfter,
  VERDICT_RATING_VALUES,
  VERDICT_RATINGS,
  type ArticleContent,
  type ArticleEvent,
  type ArticleStatus,
  type Person,
  type Published,
  type StaffRole,
  type VerdictRating,
} from '#libs/contracts';
import {
  personOf,
  type Actor,
  type AddClaim,
  type AddEditorialNote,
  type ApproveArticle,
  type ArticleCommand,
  type ArticleCommandType,
  type AssignArticle,
  type DraftArticle,
  type IssueCorrection,
  type PublishArticle,
  type PublishScheduledArticle,
  type RecordVerdict,
  type RequestChanges,
  type RetractArticle,
  type ReviseArticle,
  type SchedulePublish,
  type SubmitArticle,
} from './article.commands.js';
import {
  ArticleConflictError,
  ArticleForbiddenError,
  ArticleNotFoundError,
  ArticleValidationError,
  ClaimNotFoundError,
  PublishGateError,
  type FieldError,
  type PublishGateProblem,
} from './article.errors.js';
import { initialState, type Article, type ArticleState, type Verdict } from './article.state.js';

export { initialState };

// ---------------------------------------------------------------------------------------------
// Rules of the decider. articleSlug and publishGate are exported for the editorial view (its
// publish gate) and the test fixtures, which must slug and gate exactly as the decider does.
// ---------------------------------------------------------------------------------------------

const SLUG_HEADLINE_MAX_LENGTH = 80;

/**
 * `<slugified headline, cut at a word boundary to at most 80 chars>-<last 8 hex of the id>`.
 * The id's tail (random bits of a UUID v7) tells apart stories whose headlines slug alike; in the
 * rare case it does not (the database refuses a slug that is taken), `wholeId` ends the slug in
 * all 32 hex digits of the id, which no other story has.
 */
export const articleSlug = (headline: string, articleId: string, { wholeId = false } = {}): string => {
  const hex = articleId.replace(/-/g, '').toLowerCase();
  const suffix = wholeId ? hex : hex.slice(-8);
  // decamelize off: "McDonald" and "iPhone" are names, not two words. NFKC first: a ligature
  // ("ﬁ") or a Roman numeral ("Ⅻ") is letters the slugifier would otherwise drop.
  const base = truncateAtWordBoundary(slugify(headline.normalize('NFKC'), { decamelize: false }), SLUG_HEADLINE_MAX_LENGTH);
  return base === '' ? `article-${suffix}` : `${base}-${suffix}`;
};

const truncateAtWordBoundary = (slug: string, max: number): string => {
  if (slug.length <= max) return slug;
  const lastBreak = slug.slice(0, max + 1).lastIndexOf('-');
  return lastBreak > 0 ? slug.slice(0, lastBreak) : slug.slice(0, max);
};

/** What stops publishing: claims without a verdict, and claims rated false, mostly_false or unverifiable. */
export const publishGate = (article: Article): PublishGateProblem[] =>
  article.claims.flatMap((claim): PublishGateProblem[] => {
    if (claim.verdict === null) return [{ claimId: claim.id, text: claim.text, problem: 'unrated' }];
    if (isFlagged(claim.verdict.rating)) {
      return [{ claimId: claim.id, text: claim.text, problem: 'flagged', rating: claim.verdict.rating }];
    }
    return [];
  });

/** The drafter, or anyone assigned to the article as reporter. */
const isAuthor = (article: Article, actor: Actor): boolean =>
  article.author.id === actor.sub ||
  article.assignees.some((assignee) => assignee.as === 'reporter' && assignee.id === actor.sub);

// ---------------------------------------------------------------------------------------------
// evolve
// ---------------------------------------------------------------------------------------------

export const evolve = (state: ArticleState, event: ArticleEvent): ArticleState => {
  if (event.type === 'ArticleDrafted') {
    const { articleId, author, draftedAt, headline, standfirst, body, section, tags } = event.data;
    return {
      id: articleId,
      status: 'draft',
      content: { headline, standfirst, body, section, tags },
      author,
      authors: [author],
      assignees: [],
      claims: [],
      lastChangeRequest: null,
      publishAt: null,
      scheduledBy: null,
      publishedAt: null,
      publishedBy: null,
      slug: null,
      overrideReason: null,
      corrections: [],
      retraction: null,
      notes: [],
      knownNames: namesAfter({}, event),
      createdAt: draftedAt,
      updatedAt: draftedAt,
    };
  }
  if (state === null) {
    throw new Error(`Article stream ${event.data.articleId} starts with ${event.type} instead of ArticleDrafted.`);
  }
  // A type a newer version of the service added (a rolling deployment): say so, rather than fail
  // somewhere inside the fold on a field this version never heard of.
  if (!Object.hasOwn(ARTICLE_CLOUD_EVENT_TYPES, event.type)) {
    throw new Error(`Article ${state.id} has an event of type ${event.type}, which this version of the service does not know: deploy the version that wrote it.`);
  }

  // Status, time and byline follow the contract's rules for every event; the cases add the rest.
  const next: Article = {
    ...state,
    status: statusAfter(state.status, event),
    updatedAt: occurredAt(event),
    authors: authorsAfter(state.authors, event),
    knownNames: namesAfter(state.knownNames, event),
  };
  switch (event.type) {
    case 'ArticleRevised':
      return { ...next, content: { ...state.content, ...event.data.changes } };
    case 'ArticleSubmitted':
    case 'ArticleApproved':
      return next;
    case 'ChangesRequested': {
      const { reason, requestedBy, requestedAt } = event.data;
      return { ...next, lastChangeRequest: { reason, requestedBy, requestedAt } };
    }
    case 'ClaimAdded': {
      const { claimId, text, quote, addedBy, addedAt } = event.data;
      return { ...next, claims: [...state.claims, { id: claimId, text, quote, addedBy, addedAt, verdict: null }] };
    }
    case 'FactChecked': {
      const { claimId, rating, ratingValue, explanation, sources, checkedBy, checkedAt } = event.data;
      return {
        ...next,
        claims: state.claims.map((claim) =>
          claim.id === claimId
            ? { ...claim, verdict: { rating, ratingValue, explanation, sources, checkedBy, checkedAt } }
            : claim,
        ),
      };
    }
    case 'PublishScheduled':
      return { ...next, publishAt: event.data.publishAt, scheduledBy: event.data.scheduledBy };
    case 'Published': {
      // The byline stays the decider's own: it is what wrote event.data.authors.
      const { headline, standfirst, body, section, tags, slug, publishedAt, publishedBy, overrideReason } = event.data;
      return {
        ...next,
        content: { headline, standfirst, body, section, tags },
        slug: state.slug ?? slug,
        // A schedule is pending until the story is out, however it got out (early, by an editor).
        publishAt: null,
        publishedAt,
        publishedBy,
        overrideReason,
      };
    }
    case 'CorrectionIssued': {
      const { correctionId, kind, text, issuedBy, issuedAt } = event.data;
      return { ...next, corrections: [...state.corrections, { id: correctionId, kind, text, issuedBy, issuedAt }] };
    }
    case 'ArticleRetracted': {
      const { reason, retractedBy, retractedAt } = event.data;
      return { ...next, retraction: { reason, retractedBy, retractedAt } };
    }
    case 'EditorialNoteAdded': {
      const { noteId, text, author, addedAt } = event.data;
      return { ...next, notes: [...state.notes, { id: noteId, text, author, addedAt }] };
    }
    case 'ArticleAssigned': {
      const { assignee, as, assignedBy, assignedAt } = event.data;
      return {
        ...next,
        assignees: [...state.assignees, { id: assignee.id, name: assignee.name, as, assignedBy, assignedAt }],
      };
    }
    default:
      return assertNever(event);
  }
};

/** `known` with the names this event shows (its actor's; an assignee's), the same object if none is new. */
function namesAfter(known: Record<string, string>, event: ArticleEvent): Record<string, string> {
  const shown = event.type === 'ArticleAssigned' ? [actorOf(event), event.data.assignee] : [actorOf(event)];
  const news = shown.filter((person) => person.name !== person.id && known[person.id] !== person.name);
  return news.length === 0 ? known : { ...known, ...Object.fromEntries(news.map((person) => [person.id, person.name])) };
}

/** Folds a whole stream; `null` when it is empty. */
export const foldArticle = (events: readonly ArticleEvent[]): ArticleState => events.reduce(evolve, initialState());

// ---------------------------------------------------------------------------------------------
// decide
// ---------------------------------------------------------------------------------------------

/**
 * Pure: returns the events the command causes, or throws an ArticleDomainError and causes nothing.
 * Checks run in one order everywhere: the article exists (404), the actor may issue the command (403),
 * the status allows it (409), the input is valid (400), then business rules (409).
 */
export const decide = (command: ArticleCommand, state: ArticleState): ArticleEvent[] => {
  if (command.type === 'DraftArticle') return draftArticle(command, state);
  if (state === null) throw new ArticleNotFoundError(command.data.articleId);

  switch (command.type) {
    case 'ReviseArticle':
      return reviseArticle(command, state);
    case 'SubmitArticle':
      return submitArticle(command, state);
    case 'RequestChanges':
      return requestChanges(command, state);
    case 'ApproveArticle':
      return approveArticle(command, state);
    case 'AddClaim':
      return addClaim(command, state);
    case 'RecordVerdict':
      return recordVerdict(command, state);
    case 'PublishArticle':
      return publishArticle(command, state);
    case 'PublishScheduledArticle':
      return publishScheduledArticle(command, state);
    case 'SchedulePublish':
      return schedulePublish(command, state);
    case 'IssueCorrection':
      return issueCorrection(command, state);
    case 'RetractArticle':
      return retractArticle(command, state);
    case 'AddEditorialNote':
      return addEditorialNote(command, state);
    case 'AssignArticle':
      return assignArticle(command, state);
    default:
      return assertNever(command);
  }
};

export const articleDecider = { decide, evolve, initialState };

const PRE_PUBLISH: readonly ArticleStatus[] = ['draft', 'in_review', 'changes_requested', 'approved', 'scheduled'];
const NOT_RETRACTED: readonly ArticleStatus[] = [...PRE_PUBLISH, 'published'];

function draftArticle({ data }: DraftArticle, state: ArticleState): ArticleEvent[] {
  requireRole(data.actor, 'DraftArticle');
  if (state !== null) {
    throw new ArticleConflictError('article.already-exists', `Article ${state.id} already exists.`, state.status);
  }
  const tags = data.tags ?? [];
  validate([
    ...requireText('headline', data.headline),
    ...requireText('body', data.body),
    ...requireText('section', data.section),
    ...requireTextList('tags', tags),
  ]);
  return [
    {
      type: 'ArticleDrafted',
      data: {
        articleId: data.articleId,
        headline: data.headline,
        standfirst: optionalText(data.standfirst),
        body: data.body,
        section: data.section,
        tags: uniqueTags(tags),
        author: personOf(data.actor),
        draftedAt: data.now.toISOString(),
      },
    },
  ];
}

function reviseArticle({ data }: ReviseArticle, article: Article): ArticleEvent[] {
  // The contract's "author, editor": an author revises whatever roles the token holds now.
  const editor = hasRole(data.actor, 'editor');
  if (!editor && !isAuthor(article, data.actor)) {
    throw new ArticleForbiddenError(
      'article.not-author',
      `Only an author of article ${article.id} or an editor may revise it.`,
    );
  }
  // The contract lets an author revise in every state but retracted, as an editor may: a revision
  // after approval shows in the history and the diff, and does not move the status.
  requireStatus(article, NOT_RETRACTED, 'ReviseArticle');
  const { changes } = data;
  validate([
    ...(changes.headline !== undefined ? requireText('changes.headline', changes.headline) : []),
    ...(changes.body !== undefined ? requireText('changes.body', changes.body) : []),
    ...(changes.section !== undefined ? requireText('changes.section', changes.section) : []),
    ...(changes.tags !== undefined ? requireTextList('changes.tags', changes.tags) : []),
  ]);
  const changed = changedContent(article.content, changes);
  if (Object.keys(changed).length === 0) {
    throw new ArticleConflictError(
      'article.no-changes',
      `The revision changes nothing in article ${article.id}.`,
      article.status,
    );
  }
  return [
    {
      type: 'ArticleRevised',
      data: {
        articleId: article.id,
        changes: changed,
        revisedBy: personOf(data.actor),
        revisedAt: data.now.toISOString(),
      },
    },
  ];
}

function submitArticle({ data }: SubmitArticle, article: Article): ArticleEvent[] {
  // The contract's "author", as for revising: authorship, whatever roles the token holds now.
  if (!isAuthor(article, data.actor)) {
    throw new ArticleForbiddenError('article.not-author', `Only an author of article ${article.id} may submit it.`);
  }
  requireStatus(article, ['draft', 'changes_requested'], 'SubmitArticle');
  return [
    {
      type: 'ArticleSubmitted',
      data: { articleId: article.id, submittedBy: personOf(data.actor), submittedAt: data.now.toISOString() },
    },
  ];
}

function requestChanges({ data }: RequestChanges, article: Article): ArticleEvent[] {
  requireRole(data.actor, 'RequestChanges');
  requireStatus(article, ['in_review'], 'RequestChanges');
  validate(requireText('reason', data.reason));
  return [
    {
      type: 'ChangesRequested',
      data: {
        articleId: article.id,
        reason: data.reason,
        requestedBy: personOf(data.actor),
        requestedAt: data.now.toISOString(),
      },
    },
  ];
}

function approveArticle({ data }: ApproveArticle, article: Article): ArticleEvent[] {
  requireRole(data.actor, 'ApproveArticle');
  requireStatus(article, ['in_review'], 'ApproveArticle');
  return [
    {
      type: 'ArticleApproved',
      data: { articleId: article.id, approvedBy: personOf(data.actor), approvedAt: data.now.toISOString() },
    },
  ];
}

function addClaim({ data }: AddClaim, article: Article): ArticleEvent[] {
  requireRole(data.actor, 'AddClaim');
  requireStatus(article, PRE_PUBLISH, 'AddClaim');
  validate([...requireText('claimId', data.claimId), ...requireText('text', data.text)]);
  if (article.claims.some((claim) => claim.id === data.claimId)) {
    throw duplicateId(article, 'claim', data.claimId);
  }
  return [
    {
      type: 'ClaimAdded',
      data: {
        articleId: article.id,
        claimId: data.claimId,
        text: data.text,
        quote: optionalText(data.quote),
        addedBy: personOf(data.actor),
        addedAt: data.now.toISOString(),
      },
    },
  ];
}

function recordVerdict({ data }: RecordVerdict, article: Article): ArticleEvent[] {
  requireRole(data.actor, 'RecordVerdict');
  // Ratings after publishing stay allowed: an override may have published unrated claims.
  requireStatus(article, NOT_RETRACTED, 'RecordVerdict');
  const claim = article.claims.find((candidate) => candidate.id === data.claimId);
  if (!claim) throw new ClaimNotFoundError(article.id, data.claimId);
  validate([
    ...requireOneOf('rating', data.rating, VERDICT_RATINGS),
    ...requireText('explanation', data.explanation),
    ...requireTextList('sources', data.sources),
  ]);
  // A verdict sent again (a double submit): another event would move the story's updated time and
  // the ClaimReview's date while readers see nothing new.
  if (claim.verdict && sameVerdict(claim.verdict, data)) {
    throw new ArticleConflictError('article.no-changes', `Claim ${claim.id} already has this very verdict.`, article.status);
  }
  return [
    {
      type: 'FactChecked',
      data: {
        articleId: article.id,
        claimId: data.claimId,
        rating: data.rating,
        ratingValue: VERDICT_RATING_VALUES[data.rating],
        explanation: data.explanation,
        sources: [...data.sources],
        checkedBy: personOf(data.actor),
        checkedAt: data.now.toISOString(),
      },
    },
  ];
}

const sameVerdict = (verdict: Verdict, given: { rating: VerdictRating; explanation: string; sources: readonly string[] }): boolean =>
  verdict.rating === given.rating &&
  verdict.explanation === given.explanation &&
  verdict.sources.length === given.sources.length &&
  verdict.sources.every((source, i) => source === given.sources[i]);

function publishArticle({ data }: PublishArticle, article: Article): ArticleEvent[] {
  requireRole(data.actor, 'PublishArticle');
  requireStatus(article, ['approved', 'scheduled'], 'PublishArticle');
  const overrideReason = optionalText(data.overrideReason);
  if (overrideReason === null) requireGate(article);
  return [published(article, { by: personOf(data.actor), now: data.now, overrideReason, scheduled: false, shortSlugTaken: data.shortSlugTaken })];
}

function publishScheduledArticle({ data }: PublishScheduledArticle, article: Article): ArticleEvent[] {
  // The scheduler is a system actor: no role check.
  requireStatus(article, ['scheduled'], 'PublishScheduledArticle');
  if (article.publishAt === null || data.now.getTime() < Date.parse(article.publishAt)) {
    throw new ArticleConflictError(
      'article.not-due',
      `Article ${article.id} is scheduled for ${article.publishAt}; it is not due at ${data.now.toISOString()}.`,
      article.status,
    );
  }
  requireGate(article);
  // The editor who scheduled it made the publishing decision; the scheduler only carried it out.
  const by = article.scheduledBy ?? personOf(data.actor);
  return [published(article, { by, now: data.now, overrideReason: null, scheduled: true, shortSlugTaken: data.shortSlugTaken })];
}

function schedulePublish({ data }: SchedulePublish, article: Article): ArticleEvent[] {
  requireRole(data.actor, 'SchedulePublish');
  requireStatus(article, ['approved', 'scheduled'], 'SchedulePublish');
  const { publishAt, now } = data;
  validate(requireFuture('publishAt', publishAt, now));
  if (article.status === 'scheduled' && article.publishAt !== null && Date.parse(article.publishAt) === publishAt.getTime()) {
    // As a revision that changes nothing: a second event would tell subscribers of a move that never happened.
    throw new ArticleConflictError('article.already-scheduled', `Article ${article.id} is already scheduled for ${article.publishAt}.`, article.status);
  }
  // Moving a scheduled story's time needs no open gate: the gate is checked again when it fires
  // (the story waits until it opens), and an editor must be able to push an embargo back while a
  // claim added since waits for its verdict.
  if (article.status === 'approved') requireGate(article);
  return [
    {
      type: 'PublishScheduled',
      data: {
        articleId: article.id,
        publishAt: publishAt.toISOString(),
        scheduledBy: personOf(data.actor),
        scheduledAt: data.now.toISOString(),
      },
    },
  ];
}

function issueCorrection({ data }: IssueCorrection, article: Article): ArticleEvent[] {
  requireRole(data.actor, 'IssueCorrection');
  requireStatus(article, ['published'], 'IssueCorrection');
  validate([
    ...requireText('correctionId', data.correctionId),
    ...requireOneOf('kind', data.kind, CORRECTION_KINDS),
    ...requireText('text', data.text),
  ]);
  if (article.corrections.some((correction) => correction.id === data.correctionId)) {
    throw duplicateId(article, 'correction', data.correctionId);
  }
  return [
    {
      type: 'CorrectionIssued',
      data: {
        articleId: article.id,
        correctionId: data.correctionId,
        kind: data.kind,
        text: data.text,
        issuedBy: personOf(data.actor),
        issuedAt: data.now.toISOString(),
      },
    },
  ];
}

function retractArticle({ data }: RetractArticle, article: Article): ArticleEvent[] {
  requireRole(data.actor, 'RetractArticle');
  requireStatus(article, ['published'], 'RetractArticle');
  validate(requireText('reason', data.reason));
  return [
    {
      type: 'ArticleRetracted',
      data: {
        articleId: article.id,
        reason: data.reason,
        retractedBy: personOf(data.actor),
        retractedAt: data.now.toISOString(),
      },
    },
  ];
}

function addEditorialNote({ data }: AddEditorialNote, article: Article): ArticleEvent[] {
  requireRole(data.actor, 'AddEditorialNote');
  // Any status, retracted included.
  validate([...requireText('noteId', data.noteId), ...requireText('text', data.text)]);
  if (article.notes.some((note) => note.id === data.noteId)) {
    throw duplicateId(article, 'note', data.noteId);
  }
  return [
    {
      type: 'EditorialNoteAdded',
      data: {
        articleId: article.id,
        noteId: data.noteId,
        text: data.text,
        author: personOf(data.actor),
        addedAt: data.now.toISOString(),
      },
    },
  ];
}

function assignArticle({ data }: AssignArticle, article: Article): ArticleEvent[] {
  requireRole(data.actor, 'AssignArticle');
  requireStatus(article, NOT_RETRACTED, 'AssignArticle');
  validate([
    ...requireText('assignee.id', data.assignee?.id),
    ...requireText('assignee.name', data.assignee?.name),
    ...requireOneOf('as', data.as, ASSIGNMENT_ROLES),
  ]);
  // Assigned by id alone (named by their id): the name the article's events have shown for them, if any.
  const { id, name } = data.assignee;
  const assignee = name === id ? { id, name: article.knownNames[id] ?? id } : data.assignee;
  if (article.assignees.some((assigned) => assigned.id === assignee.id && assigned.as === data.as)) {
    throw new ArticleConflictError(
      'article.already-assigned',
      `${assignee.name} is already assigned to article ${article.id} as ${data.as}.`,
      article.status,
    );
  }
  return [
    {
      type: 'ArticleAssigned',
      data: {
        articleId: article.id,
        assignee: { id: assignee.id, name: assignee.name },
        as: data.as,
        assignedBy: personOf(data.actor),
        assignedAt: data.now.toISOString(),
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Rules shared by several commands
// ---------------------------------------------------------------------------------------------

function published(
  article: Article,
  { by, now, overrideReason, scheduled, shortSlugTaken = false }:
    { by: Person; now: Date; overrideReason: string | null; scheduled: boolean; shortSlugTaken?: boolean },
): Published {
  const { headline, standfirst, body, section, tags } = article.content;
  return {
    type: 'Published',
    data: {
      articleId: article.id,
      headline,
      standfirst,
      body,
      section,
      tags: [...tags],
      slug: article.slug ?? articleSlug(headline, article.id, { wholeId: shortSlugTaken }),
      // The publisher may be an author known by id alone: the event records their name too.
      authors: withNameOf(article.authors, by).map((author) => ({ ...author })),
      publishedAt: now.toISOString(),
      publishedBy: by,
      overrideReason,
      scheduled,
    },
  };
}

/** Only the fields whose value really differs; standfirst and tags compare in their stored form. */
function changedContent(current: ArticleContent, requested: Partial<ArticleContent>): Partial<ArticleContent> {
  const changed: Partial<ArticleContent> = {};
  if (requested.headline !== undefined && requested.headline !== current.headline) {
    changed.headline = requested.headline;
  }
  if (requested.standfirst !== undefined) {
    const standfirst = optionalText(requested.standfirst);
    if (standfirst !== current.standfirst) changed.standfirst = standfirst;
  }
  if (requested.body !== undefined && requested.body !== current.body) changed.body = requested.body;
  if (requested.section !== undefined && requested.section !== current.section) changed.section = requested.section;
  if (requested.tags !== undefined) {
    const tags = uniqueTags(requested.tags);
    if (tags.length !== current.tags.length || tags.some((tag, i) => tag !== current.tags[i])) changed.tags = tags;
  }
  return changed;
}

function requireGate(article: Article): void {
  const problems = publishGate(article);
  if (problems.length > 0) throw new PublishGateError(problems, article.status);
}

const hasRole = (actor: Actor, role: StaffRole): boolean => actor.roles.includes(role);

/**
 * Who may give each command that a role limits: the decider refuses the others, and the HTTP
 * routes take the same lists (`@Roles`), so a refusal comes before the stream is read. Submit and
 * revise are limited by authorship instead (an editor may revise too).
 */
export const COMMAND_ROLES = {
  DraftArticle: ['reporter', 'editor'],
  RequestChanges: ['editor'],
  ApproveArticle: ['editor'],
  AddClaim: ['reporter', 'editor', 'fact_checker'],
  RecordVerdict: ['fact_checker'],
  PublishArticle: ['editor'],
  SchedulePublish: ['editor'],
  IssueCorrection: ['editor'],
  RetractArticle: ['editor'],
  AddEditorialNote: ['reporter', 'editor', 'fact_checker', 'admin'],
  AssignArticle: ['editor'],
} as const satisfies Partial<Record<ArticleCommandType, readonly StaffRole[]>>;

type RoleLimitedCommand = keyof typeof COMMAND_ROLES;

function requireRole(actor: Actor, command: RoleLimitedCommand): void {
  const roles = COMMAND_ROLES[command];
  if (!roles.some((role) => hasRole(actor, role))) {
    throw new ArticleForbiddenError('article.role-not-allowed', `${command} needs the role ${roles.join(' or ')}.`);
  }
}

function requireStatus(article: Article, allowed: readonly ArticleStatus[], command: ArticleCommandType): void {
  if (!allowed.includes(article.status)) {
    throw new ArticleConflictError(
      'article.invalid-transition',
      `${command} is not allowed while article ${article.id} is ${article.status} (allowed: ${allowed.join(', ')}).`,
      article.status,
    );
  }
}

function duplicateId(article: Article, what: string, id: string): ArticleConflictError {
  return new ArticleConflictError(
    'article.duplicate-id',
    `Article ${article.id} already has a ${what} ${id}.`,
    article.status,
  );
}

function validate(errors: FieldError[]): void {
  if (errors.length > 0) throw new ArticleValidationError(errors);
}

const requireText = (field: string, value: unknown): FieldError[] =>
  typeof value === 'string' && value.trim() !== '' ? [] : [{ field, message: 'must not be empty' }];

const requireTextList = (field: string, values: unknown): FieldError[] =>
  Array.isArray(values) && values.every((value) => typeof value === 'string' && value.trim() !== '')
    ? []
    : [{ field, message: 'must be a list of non-empty strings' }];

const requireOneOf = (field: string, value: unknown, allowed: readonly string[]): FieldError[] =>
  typeof value === 'string' && allowed.includes(value)
    ? []
    : [{ field, message: `must be one of ${allowed.join(', ')}` }];

const requireFuture = (field: string, value: unknown, now: Date): FieldError[] => {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return [{ field, message: 'must be a valid date-time' }];
  return value.getTime() > now.getTime() ? [] : [{ field, message: `must be after now (${now.toISOString()})` }];
};

/** Blank optional text is stored as null, so "" and null never count as two different values. */
const optionalText = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value.trim() === '' ? null : value;

const uniqueTags = (tags: readonly string[]): string[] => [...new Set(tags)];

function assertNever(value: never): never {
  throw new Error(`Unhandled article message: ${JSON.stringify(value)}`);
}
