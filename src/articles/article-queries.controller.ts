import { Controller, Get, Headers, Param, Query, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { parseMinPosition, ValidationProblem, VersionETagInterceptor } from '#libs/http';
import type { ArticleView } from './queries/get-article/article.view.js';
import { GetArticleQuery } from './queries/get-article/get-article.query.js';
import type { ArticleHistory } from './queries/get-article-history/get-article-history.handler.js';
import { GetArticleHistoryQuery } from './queries/get-article-history/get-article-history.query.js';
import type { ArticleDiff } from './queries/get-article-diff/get-article-diff.handler.js';
import { GetArticleDiffQuery } from './queries/get-article-diff/get-article-diff.query.js';
import { GetArticleDiffRequest } from './queries/get-article-diff/get-article-diff.request.dto.js';
import { parseArticleId } from './write-context.decorator.js';

/**
 * Staff reads folded straight from the article's stream: always current, so X-Min-Position
 * is satisfied by construction (it is still validated).
 */
@Controller('articles')
@UseInterceptors(VersionETagInterceptor)
export class ArticleQueriesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  get(
    @Param('id') id: string,
    @Query('version') version: string | undefined,
    @Headers('x-min-position') minPosition: string | undefined,
  ): Promise<ArticleView> {
    parseMinPosition(minPosition);
    return this.queryBus.execute(new GetArticleQuery(parseArticleId(id), parseVersion(version)));
  }

  @Get(':id/history')
  history(@Param('id') id: string, @Headers('x-min-position') minPosition: string | undefined): Promise<ArticleHistory> {
    parseMinPosition(minPosition);
    return this.queryBus.execute(new GetArticleHistoryQuery(parseArticleId(id)));
  }

  @Get(':id/diff')
  diff(
    @Param('id') id: string,
    @Query() request: GetArticleDiffRequest,
    @Headers('x-min-position') minPosition: string | undefined,
  ): Promise<ArticleDiff> {
    parseMinPosition(minPosition);
    return this.queryBus.execute(new GetArticleDiffQuery(parseArticleId(id), request.from, request.to));
  }
}

function parseVersion(version: string | undefined): number | undefined {
  if (version === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(version)) {
    throw new ValidationProblem([{ field: 'version', message: 'version must be a positive integer' }]);
  }
  return Number(version);
}
