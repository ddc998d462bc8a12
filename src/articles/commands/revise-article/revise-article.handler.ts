import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { ReviseArticleCommand } from './revise-article.command.js';

@CommandHandler(ReviseArticleCommand)
export class ReviseArticleHandler implements ICommandHandler<ReviseArticleCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ context, request }: ReviseArticleCommand): Promise<WriteResult> {
    return this.articles.execute(context, 'ReviseArticle', { changes: { ...request } });
  }
}
