import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsUrl, MaxLength } from 'class-validator';
import { VERDICT_RATINGS, type VerdictRating } from '#libs/contracts';
import { IsStorableText, IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class RecordVerdictRequest {
  @ApiProperty({ enum: VERDICT_RATINGS })
  @IsIn(VERDICT_RATINGS)
  rating!: VerdictRating;

  @ApiProperty({ maxLength: ARTICLE_LIMITS.explanation })
  @IsText(ARTICLE_LIMITS.explanation)
  explanation!: string;

  /** Where the fact-checker found the evidence: http(s) URLs. */
  @ApiProperty({ type: [String], format: 'uri', maxItems: ARTICLE_LIMITS.sources, description: 'http(s) URLs of the evidence' })
  @IsArray()
  @ArrayMaxSize(ARTICLE_LIMITS.sources)
  @MaxLength(ARTICLE_LIMITS.sourceUrl, { each: true })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: true }, { each: true })
  // isURL lets a NUL or a lone surrogate through in the path, query or fragment.
  @IsStorableText({ each: true })
  sources!: string[];
}
