import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class RequestChangesRequest {
  @IsText(ARTICLE_LIMITS.reason)
  reason!: string;
}
