import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FeedController } from './feed.controller.js';
import { PublicArticlesController } from './public-articles.controller.js';
import { ReactionCountsEntity } from '../reactions/index.js';
import { PublicFeedEntity } from './public-feed.entity.js';
import { PublicReadCache } from './public-read-cache.js';
import { GetFeedHandler } from './queries/get-feed/get-feed.handler.js';
import { GetPublicArticleHandler } from './queries/get-public-article/get-public-article.handler.js';

/** The public side: the feed (JSON API, JSON Feed, RSS, Atom) and the public article. */
@Module({
  imports: [CqrsModule, TypeOrmModule.forFeature([PublicFeedEntity, ReactionCountsEntity])],
  controllers: [FeedController, PublicArticlesController],
  providers: [GetFeedHandler, GetPublicArticleHandler, PublicReadCache],
})
export class FeedModule {}
