import { Controller, Get, Inject, Query, Redirect, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '#libs/http';
import { DEFAULT_PAGE_SIZE } from '#libs/read-models';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ApiProblems, ApiPublicRead } from '../openapi/api-docs.decorators.js';
import { FeedPageSchema, JsonFeedSchema } from '../openapi/api-schemas.js';
import { ReadsFrom } from '../projections/reads-from.decorator.js';
import { reactionCountsProjection } from '../reactions/index.js';
import { sendWithValidators } from './conditional-get.js';
import { toFeedItem } from './public-article.js';
import { publicFeedProjection } from './public-feed.projection.js';
import { PublicReadCache } from './public-read-cache.js';
import { GetFeedQuery } from './queries/get-feed/get-feed.query.js';
import { GetFeedRequest } from './queries/get-feed/get-feed.request.dto.js';
import { FEED_CONTENT_TYPES, renderFeed, type FeedFormat } from './render/feed-document.js';

/** How many stories the feed documents carry: the newest, one page. */
const FEED_DOCUMENT_SIZE = 50;

/**
 * The public feed, as a paged JSON API and as syndication documents. Every answer carries an
 * ETag and Last-Modified and answers 304 to a client whose copy is current.
 */
@ApiTags('public')
@Controller()
@Public()
export class FeedController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly cache: PublicReadCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The feed documents name the service's address as their home page: it leads to the stories.
   * The target is absolute, under PUBLIC_BASE_URL: a proxy serving the service under a path
   * (`https://news.example/newsroom/`) must not send the reader to the site's own `/feed`.
   */
  @Get()
  @ApiExcludeEndpoint()
  @Redirect(undefined, 302)
  home(): { url: string } {
    return { url: `${this.config.http.publicBaseUrl}/feed` };
  }

  @Get('feed')
  @ReadsFrom(publicFeedProjection.name, reactionCountsProjection.name)
  @ApiOperation({ summary: 'Published stories, the latest to enter the feed first: { items, nextCursor }' })
  @ApiPublicRead('One page of stories', { 'application/json': FeedPageSchema })
  @ApiProblems([400, 'Invalid limit, cursor or X-Min-Position'])
  async page(@Query() request: GetFeedRequest, @Req() httpRequest: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const limit = request.limit ?? DEFAULT_PAGE_SIZE;
    const representation = await this.cache.representation(`feed:${limit}:${request.cursor ?? ''}`, httpRequest, async () => {
      const slice = await this.queryBus.execute(new GetFeedQuery(limit, request.cursor));
      return {
        body: JSON.stringify({ items: slice.articles.map(toFeedItem), nextCursor: slice.nextCursor }),
        contentType: 'application/json; charset=utf-8',
        lastModified: slice.lastModified,
      };
    });
    sendWithValidators(httpRequest, reply, representation);
  }

  @Get('feed.json')
  @ReadsFrom(publicFeedProjection.name, reactionCountsProjection.name)
  @ApiOperation({ summary: 'JSON Feed 1.1' })
  @ApiPublicRead('The newest stories', { 'application/feed+json': JsonFeedSchema })
  @ApiProblems([400, 'Invalid X-Min-Position'])
  jsonFeed(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.sendDocument('json', request, reply);
  }

  @Get('feed.rss')
  @ReadsFrom(publicFeedProjection.name, reactionCountsProjection.name)
  @ApiOperation({ summary: 'RSS 2.0' })
  @ApiPublicRead('The newest stories', { 'application/rss+xml': { type: 'string', description: 'RSS 2.0; reaction counts in newsroom:reactions' } })
  @ApiProblems([400, 'Invalid X-Min-Position'])
  rssFeed(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.sendDocument('rss', request, reply);
  }

  @Get('feed.atom')
  @ReadsFrom(publicFeedProjection.name, reactionCountsProjection.name)
  @ApiOperation({ summary: 'Atom 1.0' })
  @ApiPublicRead('The newest stories', { 'application/atom+xml': { type: 'string', description: 'Atom 1.0; reaction counts in newsroom:reactions' } })
  @ApiProblems([400, 'Invalid X-Min-Position'])
  atomFeed(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.sendDocument('atom', request, reply);
  }

  private async sendDocument(format: FeedFormat, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const representation = await this.cache.representation(`feed.${format}`, request, async () => {
      const { articles, lastModified } = await this.queryBus.execute(new GetFeedQuery(FEED_DOCUMENT_SIZE, undefined));
      return {
        body: renderFeed(format, articles, { publicBaseUrl: this.config.http.publicBaseUrl, lastModified }),
        contentType: FEED_CONTENT_TYPES[format],
        lastModified,
      };
    });
    sendWithValidators(request, reply, representation);
  }
}
