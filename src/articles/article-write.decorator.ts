import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { isUuid } from '#libs/contracts';
import { parseIfMatch } from '#libs/http';
import type { WriteContext } from './article-stream.js';
import { ArticleNotFoundError } from './domain/article.errors.js';

/** Article ids are UUIDs; anything else names no article (404). */
export function parseArticleId(id: string): string {
  if (!isUuid(id)) throw new ArticleNotFoundError(id);
  return id.toLowerCase();
}

/** The article (`:id`), the staff member, `If-Match` and the request id (the write's correlation and cause), for a write. */
export const ArticleWrite = createParamDecorator((_: unknown, context: ExecutionContext): WriteContext => {
  const request = context.switchToHttp().getRequest();
  return {
    articleId: parseArticleId(request.params.id),
    actor: request.staff,
    expectedVersions: parseIfMatch(request.headers['if-match']),
    correlationId: request.id,
    causationId: request.id,
  };
});
