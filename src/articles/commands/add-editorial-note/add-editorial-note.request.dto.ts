import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class AddEditorialNoteRequest {
  @IsText(ARTICLE_LIMITS.note)
  text!: string;
}
