import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { SchedulePublishRequest } from './schedule-publish.request.dto.js';

export class SchedulePublishCommand extends Command<WriteResult> {
  constructor(
    readonly context: WriteContext,
    readonly request: SchedulePublishRequest,
  ) {
    super();
  }
}
