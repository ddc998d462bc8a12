import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';

export class SubmitArticleCommand extends Command<WriteResult> {
  constructor(
    readonly context: WriteContext,
  ) {
    super();
  }
}
