import type { ArticleStatus, VerdictRating } from '#libs/contracts';

/**
 * Refusals of the article decider. Each carries an HTTP-ish `status` and a stable machine `code`,
 * so the HTTP layer maps any of them to a problem+json answer without knowing the individual classes.
 */
export abstract class ArticleDomainError extends Error {
  abstract readonly status: 400 | 403 | 404 | 409;

  protected constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Extra members for the problem+json answer. */
  get details(): Record<string, unknown> {
    return {};
  }
}

export class ArticleNotFoundError extends ArticleDomainError {
  readonly status = 404 as const;

  constructor(readonly articleId: string) {
    super('article.not-found', `Article ${articleId} does not exist.`);
  }
}

export class ClaimNotFoundError extends ArticleDomainError {
  readonly status = 404 as const;

  constructor(
    readonly articleId: string,
    readonly claimId: string,
  ) {
    super('article.claim-not-found', `Article ${articleId} has no claim ${claimId}.`);
  }
}

export type ArticleForbiddenCode = 'article.role-not-allowed' | 'article.not-author';

/** The actor's roles or authorship do not allow the command (403). */
export class ArticleForbiddenError extends ArticleDomainError {
  readonly status = 403 as const;

  constructor(code: ArticleForbiddenCode, message: string) {
    super(code, message);
  }
}

export type ArticleConflictCode =
  | 'article.already-exists'
  | 'article.invalid-transition'
  | 'article.publish-gate'
  | 'article.no-changes'
  | 'article.already-assigned'
  | 'article.already-scheduled'
  | 'article.duplicate-id'
  | 'article.not-due';

/** The article's current status or a business rule refuses the command (409). */
export class ArticleConflictError extends ArticleDomainError {
  readonly status = 409 as const;

  constructor(
    code: ArticleConflictCode,
    message: string,
    readonly currentStatus: ArticleStatus,
  ) {
    super(code, message);
  }

  override get details(): Record<string, unknown> {
    return { currentStatus: this.currentStatus };
  }
}

export type PublishGateProblem =
  | { claimId: string; text: string; problem: 'unrated' }
  | { claimId: string; text: string; problem: 'flagged'; rating: VerdictRating };

/** The fact-check gate refuses publishing or scheduling; `problems` lists the offending claims. */
export class PublishGateError extends ArticleConflictError {
  constructor(
    readonly problems: PublishGateProblem[],
    currentStatus: ArticleStatus,
  ) {
    super('article.publish-gate', PublishGateError.describe(problems), currentStatus);
  }

  override get details(): Record<string, unknown> {
    return { ...super.details, problems: this.problems };
  }

  private static describe(problems: PublishGateProblem[]): string {
    const unrated = problems.filter((p) => p.problem === 'unrated').map((p) => p.claimId);
    const flagged = problems.flatMap((p) => (p.problem === 'flagged' ? [`${p.claimId} (${p.rating})`] : []));
    const parts = [
      unrated.length > 0 ? `unrated claims: ${unrated.join(', ')}` : null,
      flagged.length > 0 ? `flagged claims: ${flagged.join(', ')}` : null,
    ].filter((part): part is string => part !== null);
    return `The fact-check gate refuses publishing; ${parts.join('; ')}.`;
  }
}

export interface FieldError {
  field: string;
  message: string;
}

/**
 * The command's input breaks a domain rule (400); `errors` names every invalid field. To a client
 * it is invalid input like any other (a `publishAt` in the past, a malformed one): the same type.
 */
export class ArticleValidationError extends ArticleDomainError {
  readonly status = 400 as const;
  readonly title = 'Invalid input';

  constructor(readonly errors: FieldError[]) {
    super('validation-failed', `Invalid input: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}.`);
  }
}
