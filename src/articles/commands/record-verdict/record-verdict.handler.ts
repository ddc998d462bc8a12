import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { RecordVerdictCommand } from './record-verdict.command.js';

@CommandHandler(RecordVerdictCommand)
export class RecordVerdictHandler implements ICommandHandler<RecordVerdictCommand> {
  constructor(private readonly articles: ArticleStream) {}

  execute({ context, claimId, request }: RecordVerdictCommand): Promise<WriteResult> {
    return this.articles.execute(context, 'RecordVerdict', { claimId, rating: request.rating, explanation: request.explanation, sources: request.sources });
  }
}
