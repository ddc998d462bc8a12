import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray } from 'class-validator';
import { IsText, Trimmed } from '#libs/http';
import { ARTICLE_LIMITS } from '../article-limits.js';

/**
 * An article's `tags` (draft and revision): a list of trimmed texts, unique without case. Listed
 * in the order class-validator checks them (one problem is named per field): the list's shape,
 * then each tag, then repeats, which only matter among tags that are valid.
 */
export const TagList = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'array',
      items: { type: 'string', maxLength: ARTICLE_LIMITS.tag },
      maxItems: ARTICLE_LIMITS.tags,
      uniqueItems: true,
      description: 'Each trimmed; tags must differ other than in case',
    }),
    Trimmed(),
    IsArray(),
    ArrayMaxSize(ARTICLE_LIMITS.tags),
    IsText(ARTICLE_LIMITS.tag, { each: true }),
    // Tags name topics: "Politics" and "politics" are one tag.
    ArrayUnique((tag: unknown) => (typeof tag === 'string' ? tag.toLowerCase() : tag), { message: '$property must differ other than in case' }),
  );
