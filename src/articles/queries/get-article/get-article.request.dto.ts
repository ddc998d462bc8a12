import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsIntegerParam } from '#libs/read-models';
import { MAX_ARTICLE_VERSION } from '../../article-limits.js';

/** `GET /articles/:id[?version=N]`: a parameter it does not name (`?verison=3`) is refused, not ignored. */
export class GetArticleRequest {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_ARTICLE_VERSION, description: 'The article as of this version' })
  @IsOptional()
  @IsIntegerParam(1, MAX_ARTICLE_VERSION)
  version?: number;
}
