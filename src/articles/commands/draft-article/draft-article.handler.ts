import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { DraftArticleCommand } from './draft-article.command.js';

@CommandHandler(DraftArticleCommand)
export class DraftArticleHandler implements ICommandHandler<DraftArticleCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ context, request }: DraftArticleCommand): Promise<WriteResult> {
    return this.articles.execute(context, 'DraftArticle', { ...request });
  }
}
