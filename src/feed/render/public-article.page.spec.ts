import { zeroReactionCounts } from '#libs/contracts';
import type { PublicArticle } from '../public-article.js';
import { claimReviewOf } from './claim-review.js';
import { escapeHtml, scriptSafeJson } from './html.js';
import { publicArticlePage } from './public-article.page.js';

const XSS = '</script><script>alert(1)</script><!--';

const article: PublicArticle = {
  id: '01a21ec9-1c93-73f8-be7e-c7f68e03b647',
  slug: 'x-03b647',
  url: 'https://news.example/public/articles/x-03b647',
  headline: `Headline ${XSS}`,
  standfirst: null,
  body: `Body <img src=x onerror=alert(1)>\n\nSecond "paragraph" & more`,
  section: 'world',
  tags: [],
  authors: [{ name: `Mallory ${XSS}` }],
  publishedAt: '2025-11-24T09:00:00.000Z',
  updatedAt: '2025-11-24T10:00:00.000Z',
  corrections: [{ id: 'c1', kind: 'clarification', text: `Clarified ${XSS}`, issuedAt: '2025-11-24T10:00:00.000Z' }],
  ratedClaims: [
    {
      id: 'k1',
      text: `Claim ${XSS}`,
      rating: 'mostly_true',
      ratingValue: 4,
      checkedAt: '2025-11-24T08:00:00.000Z',
      explanation: `The readout says so ${XSS}`,
      sources: ['https://english.news.cn/?q=%22%3E', 'https://www.whitehouse.gov/'],
    },
    // Rated after publication; and applied before explanations were kept (no explanation, no sources).
    { id: 'k2', text: 'Unverifiable claim', rating: 'unverifiable', ratingValue: null, checkedAt: '2025-11-24T09:30:00.000Z' },
  ],
  reactions: { ...zeroReactionCounts(), wow: 2 },
};

describe('ClaimReview', () => {
  it('rates on the 1 to 5 scale with the rating in words, and carries the explanation and the evidence', () => {
    expect(claimReviewOf(article, article.ratedClaims[0])).toEqual({
      '@context': 'https://schema.org',
      '@type': 'ClaimReview',
      url: `${article.url}#claim-k1`,
      claimReviewed: `Claim ${XSS}`,
      itemReviewed: { '@type': 'Claim', appearance: { '@type': 'CreativeWork', url: article.url } },
      // Rated before publication: the review was published with the story.
      datePublished: '2025-11-24T09:00:00.000Z',
      author: { '@type': 'Organization', name: 'Newsroom' },
      reviewRating: { '@type': 'Rating', ratingValue: 4, bestRating: 5, worstRating: 1, alternateName: 'Mostly true' },
      reviewBody: `The readout says so ${XSS}`,
      citation: ['https://english.news.cn/?q=%22%3E', 'https://www.whitehouse.gov/'],
    });
  });

  it('leaves ratingValue out for unverifiable but keeps its name; a verdict given after publication is dated as given', () => {
    const { reviewRating, datePublished } = claimReviewOf(article, article.ratedClaims[1]);
    expect(reviewRating).not.toHaveProperty('ratingValue');
    expect(reviewRating.alternateName).toBe('Unverifiable');
    expect(datePublished).toBe('2025-11-24T09:30:00.000Z');
  });

  it('leaves reviewBody and citation out where the row kept neither', () => {
    const review = claimReviewOf(article, article.ratedClaims[1]);
    expect(review).not.toHaveProperty('reviewBody');
    expect(review).not.toHaveProperty('citation');
  });
});

describe('publicArticlePage', () => {
  const reviews = article.ratedClaims.map((claim) => claimReviewOf(article, claim));
  const page = publicArticlePage(article, reviews);

  it('has exactly one script element per ClaimReview, each a JSON-LD data block that parses back', () => {
    const scripts = [...page.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((match) => match[0].slice(0, 35))).toEqual(Array(2).fill('<script type="application/ld+json">'));
    expect(scripts.map((match) => JSON.parse(match[1]))).toEqual(reviews);
  });

  it("shows each rated claim where its ClaimReview's url points: the claim, the verdict in words, why, and the evidence", () => {
    for (const review of reviews) {
      const anchor = new URL(review.url).hash.slice(1);
      expect(page).toContain(`<section id="${anchor}" class="fact-check">`);
    }
    expect(page).toContain(`<blockquote>${escapeHtml(`Claim ${XSS}`)}</blockquote>`);
    expect(page).toContain(`<p><strong>Mostly true.</strong> ${escapeHtml(`The readout says so ${XSS}`)}</p>`);
    expect(page).toContain('<a href="https://english.news.cn/?q=%22%3E" rel="nofollow noopener">');
    expect(page).toContain('<p><strong>Unverifiable.</strong></p>');
  });

  it('escapes every text, so hostile content stays text', () => {
    expect(page).not.toMatch(/<img/);
    expect(page).toContain(`<h1>Headline ${escapeHtml(XSS)}</h1>`);
    expect(page).toContain(escapeHtml(`Mallory ${XSS}`));
    expect(page).toContain(escapeHtml(`Clarified ${XSS}`));
    expect(page).toContain('<p>Second &quot;paragraph&quot; &amp; more</p>');
    expect(page).toContain('Wow <span>2</span>');
  });

  it('scriptSafeJson keeps the JSON while nothing in it can end the script element', () => {
    const json = scriptSafeJson({ text: XSS, line: '\u2028' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ text: XSS, line: '\u2028' });
  });
});
