import Parser from 'rss-parser';
import { zeroReactionCounts } from '#libs/contracts';
import type { PublicArticle } from '../public-article.js';
import { feedItemId, renderFeed } from './feed-document.js';

const BASE_URL = 'https://news.example';
const XSS = '<script>alert("x")</script>';

const article = (overrides: Partial<PublicArticle> = {}): PublicArticle => ({
  id: '01a21ec9-1c93-73f8-be7e-c7f68e03b647',
  slug: 'xi-presses-trump-03b647',
  url: `${BASE_URL}/public/articles/xi-presses-trump-03b647`,
  headline: 'Xi presses Trump & talks tariffs',
  standfirst: 'Both leaders plan visits.',
  body: 'First paragraph.\n\nSecond paragraph.',
  section: 'world',
  tags: ['china', 'taiwan'],
  authors: [{ name: 'Alice Chen' }, { name: 'Bob Osei' }],
  publishedAt: '2025-11-24T09:00:00.000Z',
  updatedAt: '2025-11-24T10:00:00.000Z',
  corrections: [{ id: 'c1', kind: 'correction', text: 'The call lasted 45 minutes.', issuedAt: '2025-11-24T10:00:00.000Z' }],
  ratedClaims: [],
  reactions: { ...zeroReactionCounts(), like: 3 },
  ...overrides,
});

const hostile = article({
  id: '01a21ec9-1c93-73f8-be7e-c7f68e03b648',
  headline: `Headline ${XSS} ]]> \u0001`,
  standfirst: `Standfirst ${XSS}`,
  body: `Body ${XSS}`,
  authors: [{ name: `Mallory ${XSS}` }],
  tags: [`tag ${XSS}`],
  corrections: [],
});

const context = { publicBaseUrl: BASE_URL, lastModified: new Date('2025-11-24T10:00:00.000Z') };
/**
 * Reads the items' `newsroom:reactions` element, which both XML formats carry, as `reactions`, and
 * their updated time (Atom's `updated`, RSS's `atom:updated`) as `updated`.
 */
const parser = new Parser<object, { id?: string; updated?: string; reactions?: { $: Record<string, string> } }>({
  customFields: { item: [['newsroom:reactions', 'reactions'], ['atom:updated', 'updated'], 'updated'] },
});
/** rss-parser reads RSS's content:encoded apart from its description; Atom has only content. */
const contentOf = (item: Parser.Item & { 'content:encoded'?: string }): string => item['content:encoded'] ?? item.content ?? '';

describe('renderFeed', () => {
  it('renders JSON Feed 1.1 with ids, content, authors and the _newsroom extension', () => {
    const feed = JSON.parse(renderFeed('json', [article()], context));
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Newsroom',
      home_page_url: BASE_URL,
      feed_url: `${BASE_URL}/feed.json`,
    });
    expect(feed.author).toBeUndefined();
    const [item] = feed.items;
    expect(item).toMatchObject({
      id: feedItemId(article().id),
      url: article().url,
      title: 'Xi presses Trump & talks tariffs',
      summary: 'Both leaders plan visits.',
      date_published: '2025-11-24T09:00:00.000Z',
      date_modified: '2025-11-24T10:00:00.000Z',
      authors: [{ name: 'Alice Chen' }, { name: 'Bob Osei' }],
      tags: ['china', 'taiwan'],
      _newsroom: {
        about: `${BASE_URL}/docs/openapi.json#/components/schemas/JsonFeedNewsroomSchema`,
        slug: article().slug,
        reactions: { like: 3, wow: 0 },
        corrections: article().corrections,
      },
    });
    expect(item.author).toBeUndefined();
    expect(item.content_html).toContain('<p>Second paragraph.</p>');
    expect(item.content_html).toContain('The call lasted 45 minutes.');
  });

  it.each(['rss', 'atom'] as const)('renders %s that an independent parser reads back', async (format) => {
    const feed = await parser.parseString(renderFeed(format, [article()], context));
    expect(feed.title).toBe('Newsroom');
    const [item] = feed.items;
    // Plain text in RSS; HTML in Atom (type="html"), which the parser hands over as it is.
    expect(item.title).toBe(format === 'rss' ? 'Xi presses Trump & talks tariffs' : 'Xi presses Trump &amp; talks tariffs');
    expect(item.link).toBe(article().url);
    expect(item.guid ?? item.id).toBe(feedItemId(article().id));
    expect(item.updated).toBe(article().updatedAt);
    expect(contentOf(item)).toContain('<p>Second paragraph.</p>');
    expect(contentOf(item)).toContain('The call lasted 45 minutes.');
    expect(item.reactions?.$).toEqual({
      'xmlns:newsroom': 'https://newsroom.dev/ns/feed',
      ...Object.fromEntries(Object.entries(article().reactions).map(([kind, count]) => [kind, String(count)])),
    });
  });

  it('credits every author of an RSS item in dc:creator (RSS 2.0 keeps <author> for an email address)', () => {
    const rss = renderFeed('rss', [article({ authors: [{ name: 'Alice Chen' }, { name: 'Tom & Jerry <Bros>' }] })], context);
    expect(rss).toContain('xmlns:dc="http://purl.org/dc/elements/1.1/"');
    expect(rss).toContain('<dc:creator>Alice Chen</dc:creator>');
    expect(rss).toContain('<dc:creator>Tom &amp; Jerry &lt;Bros&gt;</dc:creator>');
    expect(rss).not.toMatch(/<author>/);
  });

  it.each(['rss', 'atom'] as const)('gives each %s item the counts of its own story', async (format) => {
    const stories = [article(), article({ id: '01a21ec9-1c93-73f8-be7e-c7f68e03b649', reactions: { ...zeroReactionCounts(), wow: 7 } })];
    const { items } = await parser.parseString(renderFeed(format, stories, context));
    expect(items.map((item) => [item.reactions?.$.like, item.reactions?.$.wow])).toEqual([
      ['3', '0'],
      ['0', '7'],
    ]);
  });

  it("gives Atom entries their story's tags as categories, escaped", async () => {
    const atom = renderFeed('atom', [article({ tags: ['trade', 'a<b & "c"'] })], context);
    expect(atom).toContain('<category term="trade"/>');
    expect(atom).toContain('<category term="a&lt;b &amp; &quot;c&quot;"/>');
    // Still well-formed XML.
    await expect(new Parser().parseString(atom)).resolves.toMatchObject({ items: [expect.anything()] });
  });

  it('keeps item ids stable across updates, and moves the updated time', () => {
    const before = JSON.parse(renderFeed('json', [article()], context)).items[0];
    const corrected = article({ headline: 'A new headline', updatedAt: '2025-11-25T08:00:00.000Z' });
    const after = JSON.parse(renderFeed('json', [corrected], context)).items[0];
    expect(after.id).toBe(before.id);
    expect(after.date_modified).not.toBe(before.date_modified);
  });

  it('renders the same bytes for the same feed (no "now" inside)', () => {
    for (const format of ['json', 'rss', 'atom'] as const) {
      expect(renderFeed(format, [article()], context)).toBe(renderFeed(format, [article()], context));
    }
  });

  it.each(['json', 'rss', 'atom'] as const)('serves a hostile story inert in %s', async (format) => {
    const document = renderFeed(format, [hostile], context);
    if (format === 'json') {
      const [item] = JSON.parse(document).items;
      expect(item.content_html).not.toContain('<script');
      expect(item.content_html).toContain('&lt;script&gt;');
      return;
    }
    // Well-formed XML whatever the story holds, and no live markup once a reader decodes it.
    const [item] = (await parser.parseString(document)).items;
    if (format === 'rss') expect(item.title).toBe(hostile.headline.replace('\u0001', ''));
    else expect(item.title).toContain('&lt;script&gt;');
    expect(contentOf(item)).toContain('&lt;script&gt;');
    expect(contentOf(item)).not.toContain('<script');
    expect(document).not.toMatch(/\u0001/);
  });
});
