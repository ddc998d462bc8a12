import type { VerdictRating } from '#libs/contracts';
import type { PublicArticle, RatedClaim } from '../public-article.js';

export const PUBLISHER_NAME = 'Newsroom';

/** The words of each rating, as ClaimReview's alternateName. */
const RATING_NAMES: Record<VerdictRating, string> = {
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
}

export function claimReviewOf(article: Pick<PublicArticle, 'url'>, claim: RatedClaim): ClaimReview {
  return {
    '@context': 'https://schema.org',
    '@type': 'ClaimReview',
    url: `${article.url}#claim-${claim.id}`,
    claimReviewed: claim.text,
    datePublished: claim.checkedAt,
    author: { '@type': 'Organization', name: PUBLISHER_NAME },
    reviewRating: {
      '@type': 'Rating',
      ...(claim.ratingValue === null ? {} : { ratingValue: claim.ratingValue }),
      bestRating: 5,
      worstRating: 1,
      alternateName: RATING_NAMES[claim.rating],
    },
  };
}
