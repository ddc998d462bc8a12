import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { SchedulePublishCommand } from './schedule-publish.command.js';

@CommandHandler(SchedulePublishCommand)
export class SchedulePublishHandler implements ICommandHandler<SchedulePublishCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ context, request }: SchedulePublishCommand): Promise<WriteResult> {
    return this.articles.execute(context, 'SchedulePublish', { publishAt: new Date(request.publishAt) });
  }
}
