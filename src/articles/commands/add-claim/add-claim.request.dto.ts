import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class AddClaimRequest {
  @ApiProperty({ maxLength: ARTICLE_LIMITS.claimText })
  @IsText(ARTICLE_LIMITS.claimText)
  text!: string;

  /** The passage of the story that makes the claim. */
  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.quote, description: 'The passage of the story that makes the claim' })
  @IsOptional()
  @IsText(ARTICLE_LIMITS.quote)
  quote?: string;
}
