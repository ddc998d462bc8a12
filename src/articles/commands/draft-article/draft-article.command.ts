import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { DraftArticleRequest } from './draft-article.request.dto.js';

export class DraftArticleCommand extends Command<WriteResult> {
  constructor(
    readonly context: WriteContext,
    readonly request: DraftArticleRequest,
  ) {
    super();
  }
}
