import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { PublishArticleRequest } from './publish-article.request.dto.js';

export class PublishArticleCommand extends Command<WriteResult> {
  constructor(
    readonly context: WriteContext,
    readonly request: PublishArticleRequest,
  ) {
    super();
  }
}
