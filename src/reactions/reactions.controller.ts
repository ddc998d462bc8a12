import { Body, Controller, Delete, HttpCode, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Public } from '#libs/http';
import { ApiProblems, stringHeader, UNSUPPORTED_BODY } from '../openapi/api-docs.decorators.js';
import { ReactionAnswerSchema } from '../openapi/api-schemas.js';
import { ReactToArticleCommand } from './commands/react-to-article/react-to-article.command.js';
import { ReactToArticleRequest } from './commands/react-to-article/react-to-article.request.dto.js';
import { RemoveReactionCommand } from './commands/remove-reaction/remove-reaction.command.js';
import { ReactionRateLimitGuard } from './rate-limit/reaction-rate-limit.guard.js';
import type { ReactionAnswer, ReactionWriteContext } from './reaction-stream.js';
import { READER_ID, ReactionWrite } from './reaction-write.decorator.js';

const REACTION_ANSWER = "The article's counts (all seven kinds) and the reader's own reaction";

export const REACTIONS_ROUTE = '/public/articles/:id/reactions';

/**
 * A reaction's body is `{"kind":"love"}`: anonymous readers get this limit, not the server's
 * (BODY_LIMIT_BYTES, sized for stories), so a flood is refused before a megabyte is read per request.
 */
export const REACTION_BODY_LIMIT_BYTES = 1024;

/**
 * Readers' reactions to a published story (no token; `X-Reader-Id` names the reader). Both
 * answer 200 with the article's counts and the reader's own reaction.
 */
@ApiTags('public')
@ApiParam({ name: 'id', type: String, format: 'uuid', description: 'The article' })
@ApiHeader({
  name: 'X-Reader-Id',
  required: true,
  description: 'The opaque reader id the page keeps in a cookie: 8 to 64 letters, digits, - or _',
  schema: { type: 'string', pattern: READER_ID.source },
})
@ApiProblems(
  [400, 'Missing or malformed X-Reader-Id, or an unknown kind'],
  [404, 'No published story with this id'],
  [409, 'The story is retracted, or other requests of this reader changed the reaction at the same time'],
  [413, `Request body over ${REACTION_BODY_LIMIT_BYTES} bytes`],
  UNSUPPORTED_BODY,
  [429, 'Rate limited per reader or per client address', { 'Retry-After': stringHeader('Seconds until the limit lets this reader or address react again') }],
)
@Controller(REACTIONS_ROUTE)
@Public()
@UseGuards(ReactionRateLimitGuard)
export class ReactionsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'React (one reaction per reader per article; another kind replaces it)' })
  @ApiOkResponse({ description: REACTION_ANSWER, type: ReactionAnswerSchema })
  react(@ReactionWrite(ReactToArticleRequest) context: ReactionWriteContext, @Body() request: ReactToArticleRequest): Promise<ReactionAnswer> {
    return this.commandBus.execute(new ReactToArticleCommand(context, request.kind));
  }

  @Delete()
  @HttpCode(200)
  @ApiOperation({ summary: "Remove the reader's reaction" })
  @ApiOkResponse({ description: REACTION_ANSWER, type: ReactionAnswerSchema })
  remove(@ReactionWrite() context: ReactionWriteContext): Promise<ReactionAnswer> {
    return this.commandBus.execute(new RemoveReactionCommand(context));
  }
}
