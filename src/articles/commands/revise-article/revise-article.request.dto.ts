import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, ValidateIf } from 'class-validator';
import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

/** Only the fields to change; `standfirst: null` removes the standfirst. */
export class ReviseArticleRequest {
  @IsOptional()
  @IsText(ARTICLE_LIMITS.headline)
  headline?: string;

  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsText(ARTICLE_LIMITS.standfirst)
  standfirst?: string | null;

  @IsOptional()
  @IsText(ARTICLE_LIMITS.body)
  body?: string;

  @IsOptional()
  @IsText(ARTICLE_LIMITS.section)
  section?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ARTICLE_LIMITS.tags)
  @ArrayUnique()
  @IsText(ARTICLE_LIMITS.tag, { each: true })
  tags?: string[];
}
