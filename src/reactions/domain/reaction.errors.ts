/**
 * Why an article takes no reactions. Like the article errors, each carries an HTTP `status` and a
 * stable `code`, so the problem+json filter renders them without knowing the classes.
 */
export abstract class ReactionRefusedError extends Error {
  abstract readonly status: 404 | 409;

  protected constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Unknown, or not published yet: both answer the same, so drafts do not leak (404). */
export class ArticleNotReactableError extends ReactionRefusedError {
  readonly status = 404 as const;

  constructor(readonly articleId: string) {
    super('reaction.article-not-found', `There is no published article ${articleId}.`);
  }
}

/** The story was retracted: it takes no more reactions (409). */
export class ArticleRetractedError extends ReactionRefusedError {
  readonly status = 409 as const;

  constructor(readonly articleId: string) {
    super('reaction.article-retracted', `Article ${articleId} was retracted and takes no reactions.`);
  }
}
