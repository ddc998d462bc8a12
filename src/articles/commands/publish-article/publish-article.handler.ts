import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { PublishArticleCommand } from './publish-article.command.js';

@CommandHandler(PublishArticleCommand)
export class PublishArticleHandler implements ICommandHandler<PublishArticleCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ context, request }: PublishArticleCommand): Promise<WriteResult> {
    return this.articles.execute(context, 'PublishArticle', { overrideReason: request.overrideReason });
  }
}
