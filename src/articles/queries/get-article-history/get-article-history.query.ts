import { Query } from '@nestjs/cqrs';
import type { ArticleHistory } from './get-article-history.handler.js';

/** Every event of an article, oldest first. */
export class GetArticleHistoryQuery extends Query<ArticleHistory> {
  constructor(readonly articleId: string) {
    super();
  }
}
