import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ProblemError } from '#libs/http';
import { ArticleStream } from '../../article-stream.js';
import { toArticleView, type ArticleView } from './article.view.js';
import { GetArticleQuery } from './get-article.query.js';

@QueryHandler(GetArticleQuery)
export class GetArticleHandler implements IQueryHandler<GetArticleQuery> {
  constructor(private readonly articles: ArticleStream) {}

  async execute({ articleId, version }: GetArticleQuery): Promise<ArticleView> {
    const loaded = await this.articles.load(articleId, version);
    if (version !== undefined && loaded.version < version) {
      throw new ProblemError(404, 'version-not-found', 'Not found', `Article ${articleId} has no version ${version}; it is at version ${loaded.version}.`);
    }
    return toArticleView(loaded.article, loaded.version);
  }
}
