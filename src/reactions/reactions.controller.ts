import { Body, Controller, Delete, HttpCode, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Public } from '#libs/http';
import { ReactToArticleCommand } from './commands/react-to-article/react-to-article.command.js';
import { ReactToArticleRequest } from './commands/react-to-article/react-to-article.request.dto.js';
import { RemoveReactionCommand } from './commands/remove-reaction/remove-reaction.command.js';
import { ReactionRateLimitGuard } from './rate-limit/reaction-rate-limit.guard.js';
import type { ReactionAnswer, ReactionWriteContext } from './reaction-stream.js';
import { ReactionWrite } from './reaction-write.decorator.js';

/**
 * Readers' reactions to a published story (no token; `X-Reader-Id` names the reader). Both
 * answer 200 with the article's counts and the reader's own reaction.
 */
@Controller('public/articles/:id/reactions')
@Public()
@UseGuards(ReactionRateLimitGuard)
export class ReactionsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(200)
  react(@ReactionWrite() context: ReactionWriteContext, @Body() request: ReactToArticleRequest): Promise<ReactionAnswer> {
    return this.commandBus.execute(new ReactToArticleCommand(context, request.kind));
  }

  @Delete()
  @HttpCode(200)
  remove(@ReactionWrite() context: ReactionWriteContext): Promise<ReactionAnswer> {
    return this.commandBus.execute(new RemoveReactionCommand(context));
  }
}
