import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ArticleStream } from '../../article-stream.js';
import { assertHasVersion } from '../assert-has-version.js';
import { toArticleView, type ArticleView } from './article.view.js';
import { GetArticleQuery } from './get-article.query.js';

@QueryHandler(GetArticleQuery)
export class GetArticleHandler implements IQueryHandler<GetArticleQuery> {
  constructor(private readonly articles: ArticleStream) {}

  async execute({ articleId, version }: GetArticleQuery): Promise<ArticleView> {
    const loaded = await this.articles.load(articleId, version);
    if (version !== undefined) assertHasVersion(articleId, loaded.version, version);
    return toArticleView(loaded.article, loaded.version);
  }
}
