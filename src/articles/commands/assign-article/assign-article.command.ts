import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { AssignArticleRequest } from './assign-article.request.dto.js';

export class AssignArticleCommand extends Command<WriteResult> {
  constructor(
    readonly context: WriteContext,
    readonly request: AssignArticleRequest,
  ) {
    super();
  }
}
