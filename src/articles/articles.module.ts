import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Clock } from '../common/clock.js';
import { ArticleCommandsController } from './article-commands.controller.js';
import { ArticleQueriesController } from './article-queries.controller.js';
import { ArticleStateCache } from './article-state-cache.js';
import { ArticleStream } from './article-stream.js';
import { AddClaimHandler } from './commands/add-claim/add-claim.handler.js';
import { AddEditorialNoteHandler } from './commands/add-editorial-note/add-editorial-note.handler.js';
import { ApproveArticleHandler } from './commands/approve-article/approve-article.handler.js';
import { AssignArticleHandler } from './commands/assign-article/assign-article.handler.js';
import { DraftArticleHandler } from './commands/draft-article/draft-article.handler.js';
import { IssueCorrectionHandler } from './commands/issue-correction/issue-correction.handler.js';
import { PublishArticleHandler } from './commands/publish-article/publish-article.handler.js';
import { PublishScheduledArticleHandler } from './commands/publish-scheduled-article/publish-scheduled-article.handler.js';
import { RecordVerdictHandler } from './commands/record-verdict/record-verdict.handler.js';
import { RequestChangesHandler } from './commands/request-changes/request-changes.handler.js';
import { RetractArticleHandler } from './commands/retract-article/retract-article.handler.js';
import { ReviseArticleHandler } from './commands/revise-article/revise-article.handler.js';
import { SchedulePublishHandler } from './commands/schedule-publish/schedule-publish.handler.js';
import { SubmitArticleHandler } from './commands/submit-article/submit-article.handler.js';
import { GetArticleHandler } from './queries/get-article/get-article.handler.js';
import { GetArticleHistoryHandler } from './queries/get-article-history/get-article-history.handler.js';
import { GetArticleDiffHandler } from './queries/get-article-diff/get-article-diff.handler.js';

const COMMAND_HANDLERS = [
  DraftArticleHandler,
  ReviseArticleHandler,
  SubmitArticleHandler,
  RequestChangesHandler,
  ApproveArticleHandler,
  AddClaimHandler,
  RecordVerdictHandler,
  PublishArticleHandler,
  PublishScheduledArticleHandler,
  SchedulePublishHandler,
  IssueCorrectionHandler,
  RetractArticleHandler,
  AddEditorialNoteHandler,
  AssignArticleHandler,
];

const QUERY_HANDLERS = [GetArticleHandler, GetArticleHistoryHandler, GetArticleDiffHandler];

@Module({
  imports: [CqrsModule],
  controllers: [ArticleCommandsController, ArticleQueriesController],
  providers: [Clock, ArticleStateCache, ArticleStream, ...COMMAND_HANDLERS, ...QUERY_HANDLERS],
  exports: [ArticleStream],
})
export class ArticlesModule {}
