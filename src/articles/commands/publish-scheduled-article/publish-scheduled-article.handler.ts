import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { SCHEDULER_ACTOR } from '../../domain/article.commands.js';
import { PublishScheduledArticleCommand } from './publish-scheduled-article.command.js';

@CommandHandler(PublishScheduledArticleCommand)
export class PublishScheduledArticleHandler implements ICommandHandler<PublishScheduledArticleCommand> {
  constructor(private readonly articles: ArticleStream) {}

  /**
   * Publishes as the scheduler, caused by the article's latest PublishScheduled event and
   * correlated with the request that scheduled it: a subscriber can trace the Published event back
   * to the editor's request.
   */
  async execute({ articleId }: PublishScheduledArticleCommand): Promise<WriteResult> {
    const { events } = await this.articles.load(articleId);
    const schedule = events.findLast((event) => event.type === 'PublishScheduled');
    return this.articles.execute(
      { articleId, actor: SCHEDULER_ACTOR, correlationId: schedule?.metadata.correlationId, causationId: schedule?.eventId },
      'PublishScheduledArticle',
      {},
    );
  }
}
