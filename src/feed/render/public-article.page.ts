import { REACTION_KINDS, type ReactionKind } from '#libs/contracts';
import type { PublicArticle } from '../public-article.js';
import { claimAnchor, RATING_NAMES, type ClaimReview } from './claim-review.js';
import { escapeHtml, scriptSafeJson } from './html.js';
import { storyHtml } from './story-html.js';

const REACTION_LABELS: Record<ReactionKind, string> = {
  like: 'Like',
  dislike: 'Dislike',
  love: 'Love',
  funny: 'Funny',
  angry: 'Angry',
  sad: 'Sad',
  wow: 'Wow',
};

const timeHtml = (iso: string): string => `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.slice(0, 10))}</time>`;

/** Each rated claim as readers see it, where its ClaimReview's url points: the claim, the verdict, why, and the evidence. */
function factChecksHtml(article: PublicArticle): string {
  if (article.ratedClaims.length === 0) return '';
  const reviews = article.ratedClaims.map((claim) => {
    const why = claim.explanation ? ` ${escapeHtml(claim.explanation)}` : '';
    const sources = (claim.sources ?? []).map((source) => `<li><a href="${escapeHtml(source)}" rel="nofollow noopener">${escapeHtml(source)}</a></li>`).join('');
    return `<section id="${escapeHtml(claimAnchor(claim))}" class="fact-check">
<blockquote>${escapeHtml(claim.text)}</blockquote>
<p><strong>${RATING_NAMES[claim.rating]}.</strong>${why}</p>${sources ? `\n<ul class="sources">${sources}</ul>` : ''}
</section>`;
  });
  return `<section class="fact-checks">
<h2>Fact checks</h2>
${reviews.join('\n')}
</section>
`;
}

/** A minimal page for the story: every text escaped, the ClaimReviews as JSON-LD data blocks. */
export function publicArticlePage(article: PublicArticle, claimReviews: readonly ClaimReview[]): string {
  const byline = article.authors.map((author) => escapeHtml(author.name)).join(', ');
  const updated = article.updatedAt === article.publishedAt ? '' : ` · Updated ${timeHtml(article.updatedAt)}`;
  const reactions = REACTION_KINDS.map((kind) => `<li>${REACTION_LABELS[kind]} <span>${article.reactions[kind]}</span></li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(article.headline)}</title>
<link rel="canonical" href="${escapeHtml(article.url)}">
${claimReviews.map((review) => `<script type="application/ld+json">${scriptSafeJson(review)}</script>`).join('\n')}
</head>
<body>
<article>
<h1>${escapeHtml(article.headline)}</h1>
<p class="byline">By ${byline} · Published ${timeHtml(article.publishedAt)}${updated}</p>
${storyHtml(article)}
${factChecksHtml(article)}<section class="reactions">
<h2>What's Your Reaction?</h2>
<ul>${reactions}</ul>
</section>
</article>
</body>
</html>
`;
}

/** What a retracted story's 410 carries. */
export interface RetractionNotice {
  headline: string;
  reason: string;
  retractedAt: string;
}

/** The retraction notice as a page, for readers who follow a link to a retracted story. */
export function retractionPage(notice: RetractionNotice): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex">
<title>Retracted: ${escapeHtml(notice.headline)}</title>
</head>
<body>
<article>
<h1>Retracted: ${escapeHtml(notice.headline)}</h1>
<p>This story was retracted on ${timeHtml(notice.retractedAt)}.</p>
<p>${escapeHtml(notice.reason)}</p>
</article>
</body>
</html>
`;
}
