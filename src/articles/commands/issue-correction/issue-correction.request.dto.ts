import { IsIn } from 'class-validator';
import { CORRECTION_KINDS, type CorrectionKind } from '#libs/contracts';
import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class IssueCorrectionRequest {
  @IsIn(CORRECTION_KINDS)
  kind!: CorrectionKind;

  @IsText(ARTICLE_LIMITS.correction)
  text!: string;
}
