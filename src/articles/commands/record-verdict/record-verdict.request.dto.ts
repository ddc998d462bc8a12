import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsString, IsUrl, MaxLength, ValidateBy } from 'class-validator';
import { isContractSourceUrl, VERDICT_RATINGS, type VerdictRating } from '#libs/contracts';
import { iriToUri, IsPublicLink, IsStorableText, IsText } from '#libs/http';
import { ARTICLE_LIMITS } from '../../article-limits.js';

/** A URL as the WHATWG parser writes it (host in lower case, no default port); anything else as given. */
const sameResource = (url: unknown): unknown => (typeof url === 'string' && URL.canParse(url) ? new URL(url).href : url);

export class RecordVerdictRequest {
  @ApiProperty({ enum: VERDICT_RATINGS })
  @IsIn(VERDICT_RATINGS)
  rating!: VerdictRating;

  @ApiProperty({ maxLength: ARTICLE_LIMITS.explanation })
  @IsText(ARTICLE_LIMITS.explanation)
  explanation!: string;

  /** Where the fact-checker found the evidence: http(s) URLs; IRIs are recorded as the URIs they stand for. */
  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'uri', maxLength: ARTICLE_LIMITS.sourceUrl },
    maxItems: ARTICLE_LIMITS.sources,
    uniqueItems: true,
    description:
      'http(s) URLs of the evidence, all different, public (no credentials, no private or loopback IP). International addresses (IRIs) are recorded as URIs (punycode host, percent-encoded path), and the length limit counts them so.',
  })
  // Checked last (rules run bottom-up), as recorded: two spellings of one IRI are one source, and
  // so are two of one URL (`https://EXAMPLE.com:443/a` is `https://example.com/a`).
  @ArrayUnique(sameResource, { message: '$property must not repeat a URL' })
  @Transform(({ value }) => (Array.isArray(value) ? value.map(iriToUri) : value))
  // Characters RFC 3986 does not allow (`|`, `{`, a broken %-escape): FactChecked's schema would refuse them.
  @ValidateBy(
    { name: 'isContractSourceUrl', validator: { validate: isContractSourceUrl, defaultMessage: () => 'each value in $property must be a URI (RFC 3986)' } },
    { each: true },
  )
  // Shown to readers as links on the story page.
  @IsPublicLink({ each: true })
  // The length limit alone speaks of length (isURL has its own, which it would call "not a URL").
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: true, validate_length: false }, { each: true })
  // Counted as recorded: an IRI's non-ASCII characters take up to 9 characters each as a URI.
  @MaxLength(ARTICLE_LIMITS.sourceUrl, { each: true, message: `each source must be at most ${ARTICLE_LIMITS.sourceUrl} characters as a URI (%-encoded)` })
  // isURL lets a NUL or a lone surrogate through in the path, query or fragment.
  @IsStorableText({ each: true })
  @IsString({ each: true })
  @ArrayMaxSize(ARTICLE_LIMITS.sources)
  // class-validator checks the rules bottom-up and reports the first that fails: the array first.
  @IsArray()
  sources!: string[];
}
