import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsText, Trimmed } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';
import { TagList } from '../tag-list.decorator.js';

export class DraftArticleRequest {
  @ApiProperty({ maxLength: ARTICLE_LIMITS.headline, example: 'Xi Presses Trump on Taiwan as Leaders Agree to Meet in China Next April' })
  @IsText(ARTICLE_LIMITS.headline)
  @Trimmed()
  headline!: string;

  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.standfirst })
  @IsOptional()
  @IsText(ARTICLE_LIMITS.standfirst)
  @Trimmed()
  standfirst?: string;

  @ApiProperty({ maxLength: ARTICLE_LIMITS.body })
  @IsText(ARTICLE_LIMITS.body)
  body!: string;

  @ApiProperty({ maxLength: ARTICLE_LIMITS.section, example: 'world' })
  @IsText(ARTICLE_LIMITS.section)
  @Trimmed()
  section!: string;

  @IsOptional()
  @TagList()
  tags?: string[];
}
