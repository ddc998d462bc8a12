import { Query } from '@nestjs/cqrs';
import type { ArticleView } from './article.view.js';

/** The editorial view of an article, folded from its stream (at `version`, when given). */
export class GetArticleQuery extends Query<ArticleView> {
  constructor(
    readonly articleId: string,
    readonly version?: number,
  ) {
    super();
  }
}
