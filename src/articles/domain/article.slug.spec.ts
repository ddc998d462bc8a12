import { v7 as uuidv7 } from 'uuid';
import { articleSlug } from './article.decider.js';

const ID = '0199d0c4-5e3a-7b21-9f4e-6a1b2c3d4e5f';

describe('articleSlug', () => {
  it('slugifies the headline and ends with the last 8 hex characters of the id', () => {
    expect(articleSlug('Xi Presses Trump on Taiwan as Leaders Agree to Meet in China Next April', ID)).toBe(
      'xi-presses-trump-on-taiwan-as-leaders-agree-to-meet-in-china-next-april-2c3d4e5f',
    );
  });

  it('transliterates, spells out ampersands and keeps names whole', () => {
    expect(articleSlug('Déjà Vu & McDonald’s iPhone: 100%?', ID)).toBe('deja-vu-and-mcdonalds-iphone-100-2c3d4e5f');
  });

  it('keeps the letters of ligatures and Roman numerals', () => {
    expect(articleSlug('The ﬁnal ﬂight of Apollo Ⅻ', ID)).toBe('the-final-flight-of-apollo-xii-2c3d4e5f');
  });

  it('cuts a long headline at a word boundary, to at most 80 characters before the suffix', () => {
    const headline =
      'Analysts Say the Renewed Communication Between Trump and Xi Reflects a Delicate Balancing Act on Trade and Taiwan';
    const slug = articleSlug(headline, ID);
    const base = slug.slice(0, -'-2c3d4e5f'.length);

    expect(base).toBe('analysts-say-the-renewed-communication-between-trump-and-xi-reflects-a-delicate');
    expect(base.length).toBeLessThanOrEqual(80);
    expect(slug.endsWith('-2c3d4e5f')).toBe(true);
  });

  it('keeps a base of exactly 80 characters whole when a word ends there', () => {
    const words = `${'a'.repeat(39)} ${'b'.repeat(40)} tail`; // slug: 39 + 1 + 40 = 80, then "-tail"
    expect(articleSlug(words, ID)).toBe(`${'a'.repeat(39)}-${'b'.repeat(40)}-2c3d4e5f`);
  });

  it('cuts a single word longer than 80 characters at 80', () => {
    expect(articleSlug('x'.repeat(100), ID)).toBe(`${'x'.repeat(80)}-2c3d4e5f`);
  });

  it('falls back to "article" when nothing of the headline survives', () => {
    expect(articleSlug('!!! ???', ID)).toBe('article-2c3d4e5f');
  });

  it('tells two articles with the same headline apart by their ids', () => {
    const a = articleSlug('Same Headline', uuidv7());
    const b = articleSlug('Same Headline', uuidv7());
    expect(a).toMatch(/^same-headline-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });

  it('ends in the whole id when asked (the short slug is another story\'s): unique as the id is', () => {
    expect(articleSlug('议会批准新桥梁', ID, { wholeId: true })).toBe('article-0199d0c45e3a7b219f4e6a1b2c3d4e5f');
    expect(articleSlug('Same Headline', ID, { wholeId: true })).toBe('same-headline-0199d0c45e3a7b219f4e6a1b2c3d4e5f');
  });

  it('is the same for the same input', () => {
    expect(articleSlug('Stable Forever', ID)).toBe(articleSlug('Stable Forever', ID));
  });
});
