import { REACTION_KINDS, type ReactionKind } from '#libs/contracts';
import type { PublicArticle } from '../public-article.js';
import type { ClaimReview } from './claim-review.js';
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
<section class="reactions">
<h2>What's Your Reaction?</h2>
<ul>${reactions}</ul>
</section>
</article>
</body>
</html>
`;
}
