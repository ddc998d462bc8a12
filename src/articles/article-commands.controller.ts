import { Body, Controller, HttpCode, Param, Patch, Post, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import type { StaffClaims } from '#libs/contracts';
import { CurrentStaff, NoFieldsPipe, parseIfMatch, PreconditionFailedProblem, Roles, ValidationProblem, VersionETagInterceptor } from '#libs/http';
import { ApiArticleDraft, ApiArticleWrite, ApiNoFields, ApiStaff } from '../openapi/api-docs.decorators.js';
import { AddClaimResultSchema, AddEditorialNoteResultSchema, IssueCorrectionResultSchema } from '../openapi/api-schemas.js';
import type { WriteContext, WriteResult } from './article-stream.js';
import { AddClaimCommand } from './commands/add-claim/add-claim.command.js';
import { AddClaimRequest } from './commands/add-claim/add-claim.request.dto.js';
import { AddEditorialNoteCommand } from './commands/add-editorial-note/add-editorial-note.command.js';
import { AddEditorialNoteRequest } from './commands/add-editorial-note/add-editorial-note.request.dto.js';
import { ApproveArticleCommand } from './commands/approve-article/approve-article.command.js';
import { AssignArticleCommand } from './commands/assign-article/assign-article.command.js';
import { AssignArticleRequest } from './commands/assign-article/assign-article.request.dto.js';
import { DraftArticleCommand } from './commands/draft-article/draft-article.command.js';
import { DraftArticleRequest } from './commands/draft-article/draft-article.request.dto.js';
import { IssueCorrectionCommand } from './commands/issue-correction/issue-correction.command.js';
import { IssueCorrectionRequest } from './commands/issue-correction/issue-correction.request.dto.js';
import { PublishArticleCommand } from './commands/publish-article/publish-article.command.js';
import { PublishArticleRequest } from './commands/publish-article/publish-article.request.dto.js';
import { RecordVerdictCommand } from './commands/record-verdict/record-verdict.command.js';
import { RecordVerdictRequest } from './commands/record-verdict/record-verdict.request.dto.js';
import { RequestChangesCommand } from './commands/request-changes/request-changes.command.js';
import { RequestChangesRequest } from './commands/request-changes/request-changes.request.dto.js';
import { RetractArticleCommand } from './commands/retract-article/retract-article.command.js';
import { RetractArticleRequest } from './commands/retract-article/retract-article.request.dto.js';
import { ReviseArticleCommand } from './commands/revise-article/revise-article.command.js';
import { ReviseArticleRequest } from './commands/revise-article/revise-article.request.dto.js';
import { SchedulePublishCommand } from './commands/schedule-publish/schedule-publish.command.js';
import { SchedulePublishRequest } from './commands/schedule-publish/schedule-publish.request.dto.js';
import { SubmitArticleCommand } from './commands/submit-article/submit-article.command.js';
import { ArticleWrite } from './article-write.decorator.js';
import { COMMAND_ROLES } from './domain/article.decider.js';

/**
 * Every write on an article. Routes check the coarse role; the decider checks authorship and
 * state. Actions answer 200; POSTs that add something (the draft, claims, notes, corrections)
 * answer 201.
 */
@ApiTags('articles')
@ApiStaff()
@Controller('articles')
@UseInterceptors(VersionETagInterceptor)
export class ArticleCommandsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles(...COMMAND_ROLES.DraftArticle)
  @ApiOperation({ summary: 'Draft an article (reporter, editor): ArticleDrafted' })
  @ApiArticleDraft()
  async draft(
    @Body() request: DraftArticleRequest,
    @CurrentStaff() staff: StaffClaims,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WriteResult> {
    // If-Match asks for a current version, and a story not yet drafted has none (RFC 9110 13.1.1).
    if (reply.request.headers['if-match'] !== undefined) {
      parseIfMatch(reply.request.headers['if-match']);
      throw new PreconditionFailedProblem('If-Match names a version, and a new article has none yet.');
    }
    const context: WriteContext = { articleId: uuidv7(), actor: staff, expectedVersions: [0], correlationId: reply.request.id, causationId: reply.request.id };
    const result = await this.commandBus.execute(new DraftArticleCommand(context, request));
    reply.header('location', `/articles/${result.id}`);
    return result;
  }

  @Patch(':id')
  // No role guard: the contract's "author, editor" is decided on the article (authorship counts
  // whatever roles the token holds now), as for submit.
  @ApiOperation({ summary: 'Revise headline, standfirst, body, section or tags (author, editor): ArticleRevised' })
  @ApiArticleWrite(200, 'Revise headline, standfirst, body, section or tags (author, editor)')
  revise(@ArticleWrite() context: WriteContext, @Body() request: ReviseArticleRequest): Promise<WriteResult> {
    if (Object.keys(request).length === 0) {
      throw new ValidationProblem([{ field: 'body', message: 'name at least one of headline, standfirst, body, section, tags' }]);
    }
    return this.commandBus.execute(new ReviseArticleCommand(context, request));
  }

  @Post(':id/submit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit for review (author): ArticleSubmitted' })
  @ApiArticleWrite(200, 'Submit for review (author)')
  @ApiNoFields()
  submit(@ArticleWrite() context: WriteContext, @Body(NoFieldsPipe) _noFields: unknown): Promise<WriteResult> {
    return this.commandBus.execute(new SubmitArticleCommand(context));
  }

  @Post(':id/request-changes')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.RequestChanges)
  @ApiOperation({ summary: 'Request changes (editor): ChangesRequested' })
  @ApiArticleWrite(200, 'Request changes (editor)')
  requestChanges(@ArticleWrite() context: WriteContext, @Body() request: RequestChangesRequest): Promise<WriteResult> {
    return this.commandBus.execute(new RequestChangesCommand(context, request));
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.ApproveArticle)
  @ApiOperation({ summary: 'Approve (editor): ArticleApproved' })
  @ApiArticleWrite(200, 'Approve (editor)')
  @ApiNoFields()
  approve(@ArticleWrite() context: WriteContext, @Body(NoFieldsPipe) _noFields: unknown): Promise<WriteResult> {
    return this.commandBus.execute(new ApproveArticleCommand(context));
  }

  @Post(':id/claims')
  @HttpCode(201)
  @Roles(...COMMAND_ROLES.AddClaim)
  @ApiOperation({ summary: 'Add a claim to fact-check (reporter, editor, fact_checker): ClaimAdded, answers claimId' })
  @ApiArticleWrite(201, 'Add a claim to fact-check (reporter, editor, fact_checker)', AddClaimResultSchema)
  addClaim(@ArticleWrite() context: WriteContext, @Body() request: AddClaimRequest): Promise<WriteResult & { claimId: string }> {
    return this.commandBus.execute(new AddClaimCommand(context, request));
  }

  @Post(':id/claims/:claimId/verdict')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.RecordVerdict)
  @ApiOperation({ summary: 'Rate a claim (fact_checker): FactChecked' })
  @ApiArticleWrite(200, 'Rate a claim (fact_checker)')
  recordVerdict(
    @ArticleWrite() context: WriteContext,
    @Param('claimId') claimId: string,
    @Body() request: RecordVerdictRequest,
  ): Promise<WriteResult> {
    return this.commandBus.execute(new RecordVerdictCommand(context, claimId, request));
  }

  @Post(':id/publish')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.PublishArticle)
  @ApiOperation({ summary: 'Publish (editor): Published; overrideReason passes the fact-check gate' })
  @ApiArticleWrite(200, 'Publish (editor)')
  publish(@ArticleWrite() context: WriteContext, @Body() request: PublishArticleRequest): Promise<WriteResult> {
    return this.commandBus.execute(new PublishArticleCommand(context, request));
  }

  @Post(':id/schedule')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.SchedulePublish)
  @ApiOperation({ summary: 'Schedule publication (editor): PublishScheduled, then Published at publishAt' })
  @ApiArticleWrite(200, 'Schedule publication (editor)')
  schedule(@ArticleWrite() context: WriteContext, @Body() request: SchedulePublishRequest): Promise<WriteResult> {
    return this.commandBus.execute(new SchedulePublishCommand(context, request));
  }

  @Post(':id/corrections')
  @HttpCode(201)
  @Roles(...COMMAND_ROLES.IssueCorrection)
  @ApiOperation({ summary: 'Issue a correction or clarification (editor): CorrectionIssued, answers correctionId' })
  @ApiArticleWrite(201, 'Issue a correction or clarification (editor)', IssueCorrectionResultSchema)
  issueCorrection(
    @ArticleWrite() context: WriteContext,
    @Body() request: IssueCorrectionRequest,
  ): Promise<WriteResult & { correctionId: string }> {
    return this.commandBus.execute(new IssueCorrectionCommand(context, request));
  }

  @Post(':id/retract')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.RetractArticle)
  @ApiOperation({ summary: 'Retract (editor): ArticleRetracted' })
  @ApiArticleWrite(200, 'Retract (editor)')
  retract(@ArticleWrite() context: WriteContext, @Body() request: RetractArticleRequest): Promise<WriteResult> {
    return this.commandBus.execute(new RetractArticleCommand(context, request));
  }

  @Post(':id/notes')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add an editorial note (any staff): EditorialNoteAdded, answers noteId' })
  @ApiArticleWrite(201, 'Add an editorial note (any staff)', AddEditorialNoteResultSchema)
  addNote(@ArticleWrite() context: WriteContext, @Body() request: AddEditorialNoteRequest): Promise<WriteResult & { noteId: string }> {
    return this.commandBus.execute(new AddEditorialNoteCommand(context, request));
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES.AssignArticle)
  @ApiOperation({ summary: 'Assign a reporter, editor or fact-checker (editor): ArticleAssigned' })
  @ApiArticleWrite(200, 'Assign a reporter, editor or fact-checker (editor)')
  assign(@ArticleWrite() context: WriteContext, @Body() request: AssignArticleRequest): Promise<WriteResult> {
    return this.commandBus.execute(new AssignArticleCommand(context, request));
  }
}
