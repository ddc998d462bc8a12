import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class PublishArticleRequest {
  /** Publishes past the fact-check gate; recorded in the Published event. */
  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.reason, description: 'Publishes past the fact-check gate; recorded in the Published event' })
  @IsOptional()
  @IsText(ARTICLE_LIMITS.reason)
  overrideReason?: string;
}
