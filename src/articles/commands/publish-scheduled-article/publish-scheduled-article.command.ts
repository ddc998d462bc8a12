import { Command } from '@nestjs/cqrs';
import type { WriteResult } from '../../article-stream.js';

/** The scheduler's command: publish an article whose scheduled time has come. */
export class PublishScheduledArticleCommand extends Command<WriteResult> {
  constructor(readonly articleId: string) {
    super();
  }
}
