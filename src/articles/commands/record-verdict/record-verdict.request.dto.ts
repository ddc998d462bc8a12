import { ArrayMaxSize, IsArray, IsIn, IsUrl, MaxLength } from 'class-validator';
import { VERDICT_RATINGS, type VerdictRating } from '#libs/contracts';
import { IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

export class RecordVerdictRequest {
  @IsIn(VERDICT_RATINGS)
  rating!: VerdictRating;

  @IsText(ARTICLE_LIMITS.explanation)
  explanation!: string;

  /** Where the fact-checker found the evidence: http(s) URLs. */
  @IsArray()
  @ArrayMaxSize(ARTICLE_LIMITS.sources)
  @MaxLength(ARTICLE_LIMITS.sourceUrl, { each: true })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: true }, { each: true })
  sources!: string[];
}
