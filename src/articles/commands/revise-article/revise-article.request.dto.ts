import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, ValidateIf } from 'class-validator';
import { IsOmittable, IsText, Trimmed } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

/** Only the fields to change; `standfirst: null` removes the standfirst, the others cannot be null. */
export class ReviseArticleRequest {
  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.headline })
  @IsOmittable()
  @IsText(ARTICLE_LIMITS.headline)
  @Trimmed()
  headline?: string;

  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.standfirst, nullable: true, description: 'null removes the standfirst' })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsText(ARTICLE_LIMITS.standfirst)
  @Trimmed()
  standfirst?: string | null;

  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.body })
  @IsOmittable()
  @IsText(ARTICLE_LIMITS.body)
  body?: string;

  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.section })
  @IsOmittable()
  @IsText(ARTICLE_LIMITS.section)
  @Trimmed()
  section?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', maxLength: ARTICLE_LIMITS.tag },
    maxItems: ARTICLE_LIMITS.tags,
    uniqueItems: true,
    description: 'Each trimmed; tags must differ other than in case',
  })
  @IsOmittable()
  @IsText(ARTICLE_LIMITS.tag, { each: true })
  // Tags name topics: "Politics" and "politics" are one tag.
  @ArrayUnique((tag: unknown) => (typeof tag === 'string' ? tag.toLowerCase() : tag))
  @ArrayMaxSize(ARTICLE_LIMITS.tags)
  // class-validator checks the rules bottom-up and reports the first that fails: the array first.
  @IsArray()
  @Trimmed()
  tags?: string[];
}
