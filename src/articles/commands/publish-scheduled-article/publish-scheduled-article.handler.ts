import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { SCHEDULER_ACTOR } from '../../domain/article.commands.js';
import { PublishScheduledArticleCommand } from './publish-scheduled-article.command.js';

@CommandHandler(PublishScheduledArticleCommand)
export class PublishScheduledArticleHandler implements ICommandHandler<PublishScheduledArticleCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ articleId }: PublishScheduledArticleCommand): Promise<WriteResult> {
    return this.articles.execute({ articleId, actor: SCHEDULER_ACTOR }, 'PublishScheduledArticle', {});
  }
}
