import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { IssueCorrectionCommand } from './issue-correction.command.js';

@CommandHandler(IssueCorrectionCommand)
export class IssueCorrectionHandler implements ICommandHandler<IssueCorrectionCommand> {
  constructor(private readonly articles: ArticleStream) {}

  async execute({ context, request }: IssueCorrectionCommand): Promise<WriteResult & { correctionId: string }> {
    const correctionId = uuidv7();
    const result = await this.articles.execute(context, 'IssueCorrection', { correctionId, kind: request.kind, text: request.text });
    return { ...result, correctionId };
  }
}
