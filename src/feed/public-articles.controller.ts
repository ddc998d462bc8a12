import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError, Public } from '#libs/http';
import { ApiContentResponse, ApiProblems, ApiPublicRead, MIN_POSITION_REACHED } from '../openapi/api-docs.decorators.js';
import { ProblemDetailsSchema, PublicArticleSchema } from '../openapi/api-schemas.js';
import { ReadsFrom } from '../projections/reads-from.decorator.js';
import { reactionCountsProjection } from '../reactions/index.js';
import { addVary, sendWithValidators } from './conditional-get.js';
import { prefersHtml } from './content-negotiation.js';
import { toFeedItem } from './public-article.js';
import { publicFeedProjection } from './public-feed.projection.js';
import { GetPublicArticleQuery, type PublicArticleRead } from './queries/get-public-article/get-public-article.query.js';
import { claimReviewOf } from './render/claim-review.js';
import { publicArticlePage, retractionPage, type RetractionNotice } from './render/public-article.page.js';

// The page carries data blocks (JSON-LD) but never needs to run a script.
const HTML_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'",
  'x-content-type-options': 'nosniff',
};

/** A published story for readers: JSON, or a minimal HTML page when the client asks for text/html. */
@ApiTags('public')
@Controller('public/articles')
@Public()
export class PublicArticlesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':slug')
  @ReadsFrom(publicFeedProjection.name, reactionCountsProjection.name)
  @ApiOperation({ summary: 'A published story with corrections, reaction counts and ClaimReview JSON-LD (JSON, or HTML for Accept: text/html)' })
  @ApiPublicRead('The story: HTML only when Accept prefers text/html; JSON for */* or no Accept', {
    'application/json': PublicArticleSchema,
    'text/html': { type: 'string', description: 'A minimal page with the ClaimReview JSON-LD blocks' },
  })
  @ApiProblems([400, 'Invalid X-Min-Position'], [404, 'No published story has this slug', MIN_POSITION_REACHED])
  @ApiContentResponse(
    410,
    'Retracted: the retraction notice (a page, to a client that prefers text/html)',
    { 'application/problem+json': ProblemDetailsSchema, 'text/html': { type: 'string' } },
    MIN_POSITION_REACHED,
  )
  async get(@Param('slug') slug: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const html = prefersHtml(request.headers.accept);
    // Every answer here, the 410 notice too, depends on Accept.
    addVary(reply, 'Accept');
    let read: PublicArticleRead;
    try {
      read = await this.queryBus.execute(new GetPublicArticleQuery(slug));
    } catch (error) {
      // A reader who follows a link to a retracted story sees the notice as a page, not as JSON.
      if (!html || !(error instanceof ProblemError) || error.status !== 410) throw error;
      reply
        .status(410)
        .headers({ ...HTML_SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .send(retractionPage(error.extensions.retraction as RetractionNotice));
      return;
    }
    const { article, lastModified } = read;
    const claimReviews = article.ratedClaims.map((claim) => claimReviewOf(article, claim));
    if (html) {
      reply.headers(HTML_SECURITY_HEADERS);
      sendWithValidators(request, reply, {
        body: publicArticlePage(article, claimReviews),
        contentType: 'text/html; charset=utf-8',
        lastModified,
      });
      return;
    }
    sendWithValidators(request, reply, {
      body: JSON.stringify({ ...toFeedItem(article), body: article.body, claimReviews }),
      contentType: 'application/json; charset=utf-8',
      lastModified,
    });
  }
}
