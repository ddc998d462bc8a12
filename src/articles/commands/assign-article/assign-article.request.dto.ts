import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ASSIGNMENT_ROLES, type AssignmentRole } from '#libs/contracts';
import { IsStaffId, IsText, Trimmed } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class AssignArticleRequest {
  /** The assignee's staff id (the `sub` of their token). */
  @ApiProperty({ maxLength: ARTICLE_LIMITS.userId, description: 'The staff id (`sub`)' })
  @IsStaffId()
  @IsText(ARTICLE_LIMITS.userId)
  @Trimmed()
  userId!: string;

  @ApiProperty({ enum: ASSIGNMENT_ROLES })
  @IsIn(ASSIGNMENT_ROLES)
  as!: AssignmentRole;

  /** Display name for bylines; defaults to the user id. */
  @ApiPropertyOptional({ maxLength: ARTICLE_LIMITS.personName, description: 'Display name for bylines; defaults to the user id' })
  @IsOptional()
  @IsText(ARTICLE_LIMITS.personName)
  @Trimmed()
  name?: string;
}
