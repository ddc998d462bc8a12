import type { VerdictRating } from '#libs/contracts';
import type { PublicArticle, RatedClaim } from '../public-article.js';

export const PUBLISHER_NAME = 'Newsroom';

/** The words of each rating, as ClaimReview's alternateName and on the story's page. */
export const RATING_NAMES: Record<VerdictRating, string> = {
  true: 'True',
  mostly_true: 'Mostly true',
  half_true: 'Half true',
  mostly_false: 'Mostly false',
  false: 'False',
  unverifiable: 'Unverifiable',
};

/** schema.org ClaimReview, as a JSON-LD block. */
export interface ClaimReview {
  '@context': 'https://schema.org';
  '@type': 'ClaimReview';
  url: string;
  claimReviewed: string;
  /** The claim as a thing of its own, and where it appears: the story that makes it. */
  itemReviewed: { '@type': 'Claim'; appearance: { '@type': 'CreativeWork'; url: string } };
  datePublished: string;
  author: { '@type': 'Organization'; name: string };
  reviewRating: {
    '@type': 'Rating';
    /** Left out for `unverifiable`, which has no place on the scale. */
    ratingValue?: number;
    bestRating: 5;
    worstRating: 1;
    alternateName: string;
  };
  /** The fact-checker's explanation. */
  reviewBody?: string;
  /** The evidence: the verdict's source URLs. */
  citation?: string[];
}

/** The fragment of the story's page where the review of a claim is shown. */
export const claimAnchor = (claim: Pick<RatedClaim, 'id'>): string => `claim-${claim.id}`;

export function claimReviewOf(article: Pick<PublicArticle, 'url' | 'publishedAt'>, claim: RatedClaim): ClaimReview {
  return {
    '@context': 'https://schema.org',
    '@type': 'ClaimReview',
    url: `${article.url}#${claimAnchor(claim)}`,
    claimReviewed: claim.text,
    itemReviewed: { '@type': 'Claim', appearance: { '@type': 'CreativeWork', url: article.url } },
    // A verdict given before publication was published with the story.
    datePublished: claim.checkedAt > article.publishedAt ? claim.checkedAt : article.publishedAt,
    author: { '@type': 'Organization', name: PUBLISHER_NAME },
    reviewRating: {
      '@type': 'Rating',
      ...(claim.ratingValue === null ? {} : { ratingValue: claim.ratingValue }),
      bestRating: 5,
      worstRating: 1,
      alternateName: RATING_NAMES[claim.rating],
    },
    // Rows kept before the feed stored explanations and sources have neither (until a rebuild).
    ...(claim.explanation === undefined ? {} : { reviewBody: claim.explanation }),
    ...(claim.sources === undefined || claim.sources.length === 0 ? {} : { citation: claim.sources }),
  };
}
