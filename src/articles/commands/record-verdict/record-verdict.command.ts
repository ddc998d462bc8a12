import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { RecordVerdictRequest } from './record-verdict.request.dto.js';

export class RecordVerdictCommand extends Command<WriteResult> {
  constructor(
    readonly context: WriteContext,
    readonly claimId: string,
    readonly request: RecordVerdictRequest,
  ) {
    super();
  }
}
