import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional } from 'class-validator';
import { IsText, Trimmed } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

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

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', maxLength: ARTICLE_LIMITS.tag },
    maxItems: ARTICLE_LIMITS.tags,
    uniqueItems: true,
    description: 'Each trimmed; tags must differ other than in case',
  })
  @IsOptional()
  @IsText(ARTICLE_LIMITS.tag, { each: true })
  // Tags name topics: "Politics" and "politics" are one tag.
  @ArrayUnique((tag: unknown) => (typeof tag === 'string' ? tag.toLowerCase() : tag))
  @ArrayMaxSize(ARTICLE_LIMITS.tags)
  // class-validator checks the rules bottom-up and reports the first that fails: the array first.
  @IsArray()
  @Trimmed()
  tags?: string[];
}
