import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Clock } from '../common/clock.js';
import { CloseRetractedArticlesHandler } from './close-retracted-articles.handler.js';
import { ReactToArticleHandler } from './commands/react-to-article/react-to-article.handler.js';
import { RemoveReactionHandler } from './commands/remove-reaction/remove-reaction.handler.js';
import { ReactionRateLimitGuard } from './rate-limit/reaction-rate-limit.guard.js';
import { ReactableArticles } from './reactable-articles.js';
import { ReactionStream } from './reaction-stream.js';
import { ReactionsController } from './reactions.controller.js';

/** Readers' reactions: the public endpoints, their rate limits, and the write side of the counts. */
@Module({
  imports: [CqrsModule],
  controllers: [ReactionsController],
  providers: [Clock, ReactableArticles, ReactionStream, ReactionRateLimitGuard, ReactToArticleHandler, RemoveReactionHandler, CloseRetractedArticlesHandler],
})
export class ReactionsModule {}
