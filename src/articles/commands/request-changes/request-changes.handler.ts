import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { RequestChangesCommand } from './request-changes.command.js';

@CommandHandler(RequestChangesCommand)
export class RequestChangesHandler implements ICommandHandler<RequestChangesCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ context, request }: RequestChangesCommand): Promise<WriteResult> {
    return this.articles.execute(context, 'RequestChanges', { reason: request.reason });
  }
}
