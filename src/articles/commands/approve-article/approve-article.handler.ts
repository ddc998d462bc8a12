import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { ApproveArticleCommand } from './approve-article.command.js';

@CommandHandler(ApproveArticleCommand)
export class ApproveArticleHandler implements ICommandHandler<ApproveArticleCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ context }: ApproveArticleCommand): Promise<WriteResult> {
    return this.articles.execute(context, 'ApproveArticle', {});
  }
}
