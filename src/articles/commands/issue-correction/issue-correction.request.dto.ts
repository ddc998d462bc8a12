import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CORRECTION_KINDS, type CorrectionKind } from '#libs/contracts';
import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class IssueCorrectionRequest {
  @ApiProperty({ enum: CORRECTION_KINDS })
  @IsIn(CORRECTION_KINDS)
  kind!: CorrectionKind;

  @ApiProperty({ maxLength: ARTICLE_LIMITS.correction })
  @IsText(ARTICLE_LIMITS.correction)
  text!: string;
}
