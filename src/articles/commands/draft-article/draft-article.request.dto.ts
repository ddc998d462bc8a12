import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional } from 'class-validator';
import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class DraftArticleRequest {
  @IsText(ARTICLE_LIMITS.headline)
  headline!: string;

  @IsOptional()
  @IsText(ARTICLE_LIMITS.standfirst)
  standfirst?: string;

  @IsText(ARTICLE_LIMITS.body)
  body!: string;

  @IsText(ARTICLE_LIMITS.section)
  section!: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ARTICLE_LIMITS.tags)
  @ArrayUnique()
  @IsText(ARTICLE_LIMITS.tag, { each: true })
  tags?: string[];
}
