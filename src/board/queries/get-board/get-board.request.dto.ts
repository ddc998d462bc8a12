import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ARTICLE_STATUSES, type ArticleStatus } from '#libs/contracts';
import { IsText } from '#libs/http';
import { PageRequest } from '#libs/read-models';
import { ARTICLE_LIMITS } from '../../../articles/index.js';

const BOARD_SEARCH_MAX_LENGTH = 200;

/** `GET /board` query string; any other parameter is refused (400). */
export class GetBoardRequest extends PageRequest {
  @ApiPropertyOptional({ enum: ARTICLE_STATUSES })
  @IsOptional()
  @IsIn(ARTICLE_STATUSES)
  status?: ArticleStatus;

  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.section })
  @IsOptional()
  @IsText(ARTICLE_LIMITS.section)
  section?: string;

  /** A staff user id: articles assigned to them in any role. */
  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.userId, description: 'A staff id: articles assigned to them in any role' })
  @IsOptional()
  @IsText(ARTICLE_LIMITS.userId)
  assignee?: string;

  /** Case-insensitive substring of the headline. */
  @ApiPropertyOptional({ maxLength: BOARD_SEARCH_MAX_LENGTH, description: 'Case-insensitive substring of the headline' })
  @IsOptional()
  @IsText(BOARD_SEARCH_MAX_LENGTH)
  q?: string;
}
