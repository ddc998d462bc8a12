import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ValidationProblem } from '#libs/http';
import { ArticleStream } from '../../article-stream.js';
import { foldArticle } from '../../domain/article.decider.js';
import { assertHasVersion } from '../assert-has-version.js';
import { diffContent, type ContentDiff } from './article-diff.js';
import { GetArticleDiffQuery } from './get-article-diff.query.js';

export interface ArticleDiff {
  id: string;
  from: number;
  to: number;
  changes: ContentDiff;
}

@QueryHandler(GetArticleDiffQuery)
export class GetArticleDiffHandler implements IQueryHandler<GetArticleDiffQuery> {
  constructor(private readonly articles: ArticleStream) {}

  async execute({ articleId, from, to: requestedTo }: GetArticleDiffQuery): Promise<ArticleDiff> {
    if (requestedTo !== undefined) requireOrder(from, requestedTo);
    // One read of the stream up to `to`; the older version is a fold of its first `from` events.
    const loaded = await this.articles.load(articleId, requestedTo);
    assertHasVersion(articleId, loaded.version, requestedTo ?? from);
    const to = requestedTo ?? loaded.version;
    requireOrder(from, to);
    // Version `from` exists (checked above) and every stream starts with its ArticleDrafted.
    const before = foldArticle(loaded.events.slice(0, from))!;
    return { id: articleId, from, to, changes: await diffContent(before.content, loaded.article.content) };
  }
}

// from == to is allowed: a client diffing "from what I saw to now" may already be current.
function requireOrder(from: number, to: number): void {
  if (from > to) throw new ValidationProblem([{ field: 'from', message: `from must not be higher than to (${to})` }]);
}
