import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { AddClaimCommand } from './add-claim.command.js';

@CommandHandler(AddClaimCommand)
export class AddClaimHandler implements ICommandHandler<AddClaimCommand> {
  constructor(private readonly articles: ArticleStream) {}

  async execute({ context, request }: AddClaimCommand): Promise<WriteResult & { claimId: string }> {
    const claimId = uuidv7();
    const result = await this.articles.execute(context, 'AddClaim', { claimId, text: request.text, quote: request.quote });
    return { ...result, claimId };
  }
}
