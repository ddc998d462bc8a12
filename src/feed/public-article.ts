import type { ReactionCounts, VerdictRating } from '#libs/contracts';
import type { PublicFeedEntity } from './public-feed.entity.js';
import type { PublicCorrection } from './public-feed.projection.js';
import { reactionsOf } from './reaction-counts.js';

/** Bylines are public; staff ids are not. */
export interface PublicAuthor {
  name: string;
}

export interface RatedClaim {
  id: string;
  text: string;
  rating: VerdictRating;
  /** schema.org ratingValue; null for `unverifiable`. */
  ratingValue: number | null;
  checkedAt: string;
  /** Why, and the evidence: shown on the story's page (absent from rows not rebuilt since they were kept). */
  explanation?: string;
  sources?: string[];
}

/** A published story as every public read sees it. */
export interface PublicArticle {
  id: string;
  slug: string;
  url: string;
  headline: string;
  standfirst: string | null;
  body: string;
  section: string;
  tags: string[];
  authors: PublicAuthor[];
  publishedAt: string;
  updatedAt: string;
  corrections: PublicCorrection[];
  ratedClaims: RatedClaim[];
  reactions: ReactionCounts;
}

/** One item of `GET /feed`: the public contract names exactly these fields. */
export type FeedItem = Pick<
  PublicArticle,
  'id' | 'slug' | 'url' | 'headline' | 'standfirst' | 'section' | 'tags' | 'authors' | 'publishedAt' | 'updatedAt' | 'corrections' | 'reactions'
>;

/** Slugs are permanent, so this URL is too. */
const publicArticleUrl = (publicBaseUrl: string, slug: string): string =>
  `${publicBaseUrl}/public/articles/${encodeURIComponent(slug)}`;

/** For rows of published articles (loaded with their reaction counts). */
export function toPublicArticle(row: PublicFeedEntity, publicBaseUrl: string): PublicArticle {
  const { slug, publishedAt, updatedAt } = row;
  if (slug === null || publishedAt === null || updatedAt === null) {
    throw new Error(`public feed row ${row.id} is not published`);
  }
  return {
    id: row.id,
    slug,
    url: publicArticleUrl(publicBaseUrl, slug),
    headline: row.headline,
    standfirst: row.standfirst,
    body: row.body,
    section: row.section,
    tags: row.tags,
    authors: row.authors.map(({ name }) => ({ name })),
    publishedAt: publishedAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
    corrections: row.corrections,
    ratedClaims: row.claims.flatMap(({ id, text, verdict }) =>
      verdict === null
        ? []
        : [{ id, text, rating: verdict.rating, ratingValue: verdict.ratingValue, checkedAt: verdict.checkedAt, explanation: verdict.explanation, sources: verdict.sources }],
    ),
    reactions: reactionsOf(row),
  };
}

export const toFeedItem = (article: PublicArticle): FeedItem => ({
  id: article.id,
  slug: article.slug,
  url: article.url,
  headline: article.headline,
  standfirst: article.standfirst,
  section: article.section,
  tags: article.tags,
  authors: article.authors,
  publishedAt: article.publishedAt,
  updatedAt: article.updatedAt,
  corrections: article.corrections,
  reactions: article.reactions,
});
