import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { ReviseArticleRequest } from './revise-article.request.dto.js';

export class ReviseArticleCommand extends Command<WriteResult> {
  constructor(
    readonly context: WriteContext,
    readonly request: ReviseArticleRequest,
  ) {
    super();
  }
}
