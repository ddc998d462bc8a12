import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { IssueCorrectionRequest } from './issue-correction.request.dto.js';

export class IssueCorrectionCommand extends Command<WriteResult & { correctionId: string }> {
  constructor(
    readonly context: WriteContext,
    readonly request: IssueCorrectionRequest,
  ) {
    super();
  }
}
