import type { PublicArticle } from '../public-article.js';
import type { PublicCorrection } from '../public-feed.projection.js';
import { escapeHtml, paragraphsHtml } from './html.js';

const CORRECTION_LABELS: Record<PublicCorrection['kind'], string> = { correction: 'Correction', clarification: 'Clarification' };

function correctionsHtml(corrections: readonly PublicCorrection[]): string {
  if (corrections.length === 0) return '';
  const items = corrections.map(
    ({ kind, text, issuedAt }) =>
      `<li><strong>${CORRECTION_LABELS[kind]}</strong> (<time datetime="${escapeHtml(issuedAt)}">${escapeHtml(issuedAt.slice(0, 10))}</time>): ${escapeHtml(text)}</li>`,
  );
  return `<section class="corrections">\n<h2>Corrections</h2>\n<ul>\n${items.join('\n')}\n</ul>\n</section>`;
}

/** The story as HTML (standfirst, body, corrections): a feed item's content and the page's body. */
export function storyHtml(article: Pick<PublicArticle, 'standfirst' | 'body' | 'corrections'>): string {
  return [
    article.standfirst === null ? '' : `<p class="standfirst"><strong>${escapeHtml(article.standfirst)}</strong></p>`,
    paragraphsHtml(article.body),
    correctionsHtml(article.corrections),
  ]
    .filter((part) => part !== '')
    .join('\n');
}
