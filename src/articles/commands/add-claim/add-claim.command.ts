import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { AddClaimRequest } from './add-claim.request.dto.js';

export class AddClaimCommand extends Command<WriteResult & { claimId: string }> {
  constructor(
    readonly context: WriteContext,
    readonly request: AddClaimRequest,
  ) {
    super();
  }
}
