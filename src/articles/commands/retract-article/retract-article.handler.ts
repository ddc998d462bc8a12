import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { RetractArticleCommand } from './retract-article.command.js';

@CommandHandler(RetractArticleCommand)
export class RetractArticleHandler implements ICommandHandler<RetractArticleCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ context, request }: RetractArticleCommand): Promise<WriteResult> {
    return this.articles.execute(context, 'RetractArticle', { reason: request.reason });
  }
}
