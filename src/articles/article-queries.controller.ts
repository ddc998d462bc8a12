import { Controller, Get, Headers, Param, Query, Res, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { etagFor, parseMinPosition, VersionETagInterceptor } from '#libs/http';
import { ApiArticleRead, ApiProblems, ApiStaff, etagHeader } from '../openapi/api-docs.decorators.js';
import { ArticleDiffSchema, ArticleHistorySchema, ArticleViewSchema } from '../openapi/api-schemas.js';
import type { ArticleView } from './queries/get-article/article.view.js';
import { GetArticleQuery } from './queries/get-article/get-article.query.js';
import { GetArticleRequest } from './queries/get-article/get-article.request.dto.js';
import type { ArticleHistory } from './queries/get-article-history/get-article-history.handler.js';
import { GetArticleHistoryQuery } from './queries/get-article-history/get-article-history.query.js';
import type { ArticleDiff } from './queries/get-article-diff/get-article-diff.handler.js';
import { GetArticleDiffQuery } from './queries/get-article-diff/get-article-diff.query.js';
import { GetArticleDiffRequest } from './queries/get-article-diff/get-article-diff.request.dto.js';
import { parseArticleId } from './article-write.decorator.js';

/**
 * Staff reads folded straight from the article's stream: always current, so X-Min-Position
 * is satisfied by construction (it is still validated).
 */
@ApiTags('articles')
@ApiStaff()
@Controller('articles')
@UseInterceptors(VersionETagInterceptor)
export class ArticleQueriesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @ApiOperation({ summary: 'Editorial view of an article; with version, the article as of that version (ETag: "<version>")' })
  @ApiArticleRead(ArticleViewSchema, 'The article (as of version, when given)')
  @ApiProblems([400, 'Invalid version (or an unknown parameter) or X-Min-Position'], [404, 'No such article or version'])
  get(
    @Param('id') id: string,
    @Query() request: GetArticleRequest,
    @Headers('x-min-position') minPosition: string | undefined,
  ): Promise<ArticleView> {
    parseMinPosition(minPosition);
    return this.queryBus.execute(new GetArticleQuery(parseArticleId(id), request.version));
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event of the article: version, type, time, actor, data' })
  @ApiArticleRead(ArticleHistorySchema, 'Every event, oldest first; the ETag is the current version')
  @ApiProblems([400, 'Invalid X-Min-Position'], [404, 'No such article'])
  history(@Param('id') id: string, @Headers('x-min-position') minPosition: string | undefined): Promise<ArticleHistory> {
    parseMinPosition(minPosition);
    return this.queryBus.execute(new GetArticleHistoryQuery(parseArticleId(id)));
  }

  @Get(':id/diff')
  @ApiOperation({ summary: 'What changed in headline, standfirst and body between two versions (ETag: "<to>")' })
  @ApiArticleRead(ArticleDiffSchema, 'The differences', etagHeader('The version `to`, quoted (e.g. "5")'))
  @ApiProblems([400, 'Invalid from, to or X-Min-Position'], [404, 'No such article or version'])
  async diff(
    @Param('id') id: string,
    @Query() request: GetArticleDiffRequest,
    @Headers('x-min-position') minPosition: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ArticleDiff> {
    parseMinPosition(minPosition);
    const diff: ArticleDiff = await this.queryBus.execute(new GetArticleDiffQuery(parseArticleId(id), request.from, request.to));
    // The newer side's version, as GET /articles/:id?version=N answers ETag "N".
    reply.header('etag', etagFor(diff.to));
    return diff;
  }
}
