import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { RetractArticleRequest } from './retract-article.request.dto.js';

export class RetractArticleCommand extends Command<WriteResult> {
  constructor(
    readonly context: WriteContext,
    readonly request: RetractArticleRequest,
  ) {
    super();
  }
}
