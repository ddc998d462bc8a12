import { ApiProperty } from '@nestjs/swagger';
import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class AddEditorialNoteRequest {
  @ApiProperty({ maxLength: ARTICLE_LIMITS.note })
  @IsText(ARTICLE_LIMITS.note)
  text!: string;
}
