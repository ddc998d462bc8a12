import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional } from 'class-validator';
import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class DraftArticleRequest {
  @ApiProperty({ maxLength: ARTICLE_LIMITS.headline, example: 'Xi Presses Trump on Taiwan as Leaders Agree to Meet in China Next April' })
  @IsText(ARTICLE_LIMITS.headline)
  headline!: string;

  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.standfirst })
  @IsOptional()
  @IsText(ARTICLE_LIMITS.standfirst)
  standfirst?: string;

  @ApiProperty({ maxLength: ARTICLE_LIMITS.body })
  @IsText(ARTICLE_LIMITS.body)
  body!: string;

  @ApiProperty({ maxLength: ARTICLE_LIMITS.section, example: 'world' })
  @IsText(ARTICLE_LIMITS.section)
  section!: string;

  @ApiPropertyOptional({ type: [String], maxItems: ARTICLE_LIMITS.tags, uniqueItems: true })
  @IsOptional()
  @IsText(ARTICLE_LIMITS.tag, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(ARTICLE_LIMITS.tags)
  // class-validator checks the rules bottom-up and reports the first that fails: the array first.
  @IsArray()
  tags?: string[];
}
