import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { AssignArticleCommand } from './assign-article.command.js';

@CommandHandler(AssignArticleCommand)
export class AssignArticleHandler implements ICommandHandler<AssignArticleCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ context, request }: AssignArticleCommand): Promise<WriteResult> {
    return this.articles.execute(context, 'AssignArticle', { assignee: { id: request.userId, name: request.name ?? request.userId }, as: request.as });
  }
}
