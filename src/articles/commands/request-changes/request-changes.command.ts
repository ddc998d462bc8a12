import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { RequestChangesRequest } from './request-changes.request.dto.js';

export class RequestChangesCommand extends Command<WriteResult> {
  constructor(
    readonly context: WriteContext,
    readonly request: RequestChangesRequest,
  ) {
    super();
  }
}
