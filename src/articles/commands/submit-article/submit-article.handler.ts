import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { SubmitArticleCommand } from './submit-article.command.js';

@CommandHandler(SubmitArticleCommand)
export class SubmitArticleHandler implements ICommandHandler<SubmitArticleCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ context }: SubmitArticleCommand): Promise<WriteResult> {
    return this.articles.execute(context, 'SubmitArticle', {});
  }
}
