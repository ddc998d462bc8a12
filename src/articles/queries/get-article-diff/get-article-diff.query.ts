import { Query } from '@nestjs/cqrs';
import type { ArticleDiff } from './get-article-diff.handler.js';

/** What changed in headline, standfirst and body between two versions of an article. */
export class GetArticleDiffQuery extends Query<ArticleDiff> {
  constructor(
    readonly articleId: string,
    readonly from: number,
    readonly to: number | undefined,
  ) {
    super();
  }
}
