import type { ArticleContent } from '#libs/contracts';
import { BODY_MAX_WORD_EDITS, diffContent, type FieldDiff } from './article-diff.js';

const content = (overrides: Partial<ArticleContent> = {}): ArticleContent => ({
  headline: 'Xi presses Trump on Taiwan',
  standfirst: null,
  body: 'The call lasted an hour.\n\nBoth leaders plan visits.',
  section: 'world',
  tags: [],
  ...overrides,
});

const older = (diff: FieldDiff) => diff!.filter((change) => !change.added).map((change) => change.value).join('');
const newer = (diff: FieldDiff) => diff!.filter((change) => !change.removed).map((change) => change.value).join('');

describe('diffContent', () => {
  it('is null for fields that did not change', async () => {
    expect(await diffContent(content(), content({ section: 'politics', tags: ['x'] }))).toEqual({ headline: null, standfirst: null, body: null });
  });

  it('diffs word by word, whitespace included, so both versions can be spelled back', async () => {
    const before = content();
    const after = content({ headline: 'Xi  presses Biden on Taiwan!', body: 'The call lasted 45 minutes.\n\nBoth leaders plan visits.' });
    const { headline, body } = await diffContent(before, after);
    expect(headline).toEqual([
      { value: 'Xi' },
      { value: ' ', removed: true },
      { value: '  ', added: true },
      { value: 'presses ' },
      { value: 'Trump', removed: true },
      { value: 'Biden', added: true },
      { value: ' on Taiwan' },
      { value: '!', added: true },
    ]);
    expect([older(headline), newer(headline)]).toEqual([before.headline, after.headline]);
    expect([older(body), newer(body)]).toEqual([before.body, after.body]);
    expect(body).toContainEqual({ value: 'hour', removed: true });
    expect(body).toContainEqual({ value: 'minutes', added: true });
  });

  it('treats a missing standfirst as empty', async () => {
    expect((await diffContent(content(), content({ standfirst: 'Both plan visits.' }))).standfirst).toEqual([{ value: 'Both plan visits.', added: true }]);
    expect((await diffContent(content({ standfirst: 'Gone.' }), content())).standfirst).toEqual([{ value: 'Gone.', removed: true }]);
  });

  it('gives up on a word diff of a rewritten body: all of it removed, all of it added', async () => {
    const words = (prefix: string) => Array.from({ length: BODY_MAX_WORD_EDITS }, (_, i) => `${prefix}${i}`).join(' ');
    const before = content({ body: words('old') });
    const after = content({ body: words('new') });
    expect((await diffContent(before, after)).body).toEqual([
      { value: before.body, removed: true },
      { value: after.body, added: true },
    ]);
  });
});

describe('diffContent of a long body', () => {
  it('leaves the event loop free while it works: other callbacks run before it is done', async () => {
    // The same words in another order: nothing to tell it from a small edit but the diff itself.
    const words = (order: number) => Array.from({ length: 30_000 }, (_, i) => `w${(i * order) % 97}`).join(' ');
    const turns: string[] = [];
    const ticking = setInterval(() => turns.push('other work'), 0);
    const diff = diffContent(content({ body: words(1) }), content({ body: words(5) }));
    void diff.then(() => turns.push('diff done'));
    const { body } = await diff;
    clearInterval(ticking);
    expect(turns.indexOf('diff done')).toBeGreaterThan(0);
    expect(body).toEqual([{ value: words(1), removed: true }, { value: words(5), added: true }]);
  });
});
