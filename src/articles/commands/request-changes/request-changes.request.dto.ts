import { ApiProperty } from '@nestjs/swagger';
import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class RequestChangesRequest {
  @ApiProperty({ maxLength: ARTICLE_LIMITS.reason })
  @IsText(ARTICLE_LIMITS.reason)
  reason!: string;
}
