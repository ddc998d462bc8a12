import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import { IsOmittable, IsText, Trimmed } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';
import { TagList } from '../tag-list.decorator.js';

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

  @IsOmittable()
  @TagList()
  tags?: string[];
}
