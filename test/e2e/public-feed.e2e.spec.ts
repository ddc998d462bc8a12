import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Parser from 'rss-parser';
import { REACTION_KINDS } from '#libs/contracts';
import { after, TOKENS, workflow, type Write } from '../support/workflow.js';
import { httpClient, startTestApp, type HttpResult, type TestApp } from '../support/test-app.js';

// ajv-formats is CommonJS: under Node's ESM the default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

/** The parts of JSON Feed 1.1 a reader needs: https://www.jsonfeed.org/version/1.1/ */
const JSON_FEED_SCHEMA = {
  type: 'object',
  required: ['version', 'title', 'items'],
  properties: {
    version: { const: 'https://jsonfeed.org/version/1.1' },
    title: { type: 'string', minLength: 1 },
    home_page_url: { type: 'string', format: 'uri' },
    feed_url: { type: 'string', format: 'uri' },
    authors: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        anyOf: [{ required: ['content_html'] }, { required: ['content_text'] }],
        properties: {
          id: { type: 'string', minLength: 1 },
          url: { type: 'string', format: 'uri' },
          title: { type: 'string' },
          content_html: { type: 'string' },
          summary: { type: 'string' },
          date_published: { type: 'string', format: 'date-time' },
          date_modified: { type: 'string', format: 'date-time' },
          authors: { type: 'array', items: { type: 'object', required: ['name'] } },
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

const FEED_ITEM_FIELDS = ['authors', 'corrections', 'headline', 'id', 'publishedAt', 'reactions', 'section', 'slug', 'standfirst', 'tags', 'updatedAt', 'url'];
const XSS = '</script><script>alert(1)</script>';

/** The public feed, its three formats and the public article over HTTP, with the projections running. */
describe('public feed and public article', () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;
  let steps: ReturnType<typeof workflow>;
  let baseUrl: string;
  let last: Write;
  let seed: { id: string; claimIds: string[]; slug: string };
  let markets: { id: string; slug: string };
  // The items' updated time: Atom's `updated`, RSS's `atom:updated`.
  const parser = new Parser<object, { id?: string; updated?: string }>({ customFields: { item: [['atom:updated', 'updated'], 'updated'] } });
  const validateJsonFeed = addFormats(new Ajv({ allErrors: true })).compile(JSON_FEED_SCHEMA);

  /** Public reads carry no token; they wait for the read model to have the last write. */
  const read = (path: string, headers: Record<string, string> = {}) =>
    http.get(path, { headers: { ...after(last).headers, ...headers } });
  const feed = async (query = '') => {
    const response = await read(`/feed${query}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-min-position-reached')).toBe('true');
    return response.body;
  };
  const slugOf = async (id: string): Promise<string> => {
    const article = await http.get(`/articles/${id}`, { token: TOKENS.editor });
    return article.body.slug;
  };
  const feedItemOf = async (id: string) => (await feed()).items.find((item: { id: string }) => item.id === id);

  beforeAll(async () => {
    app = await startTestApp({ workers: true, env: { PROJECTION_POLL_MS: '20' } });
    http = httpClient(app.url);
    steps = workflow(http);
    baseUrl = app.config.http.publicBaseUrl;

    const published = await steps.publishedStory({ standfirst: 'Xi raises Taiwan; both plan visits.' }, ['true', 'mostly_true', 'half_true', 'unverifiable']);
    seed = { id: published.id, claimIds: published.claimIds, slug: await slugOf(published.id) };
    const second = await steps.publishedStory({ headline: 'Markets rally', section: 'business', tags: ['markets'] });
    markets = { id: second.id, slug: await slugOf(second.id) };
    last = await steps.draft({ headline: 'Not public yet' });
  });
  afterAll(async () => app?.close());

  it('lists published stories newest first, with exactly the contract fields, to anyone', async () => {
    const { items, nextCursor } = await feed();
    expect(items.map((item: { id: string }) => item.id)).toEqual([markets.id, seed.id]);
    expect(nextCursor).toBeNull();
    const item = items[1];
    expect(Object.keys(item).sort()).toEqual(FEED_ITEM_FIELDS);
    expect(item).toEqual({
      id: seed.id,
      slug: seed.slug,
      url: `${baseUrl}/public/articles/${seed.slug}`,
      headline: expect.stringContaining('Xi Presses Trump'),
      standfirst: 'Xi raises Taiwan; both plan visits.',
      section: 'world',
      tags: expect.arrayContaining(['china', 'taiwan']),
      authors: [{ name: 'Alice Chen' }],
      publishedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      updatedAt: item.publishedAt,
      corrections: [],
      reactions: Object.fromEntries(REACTION_KINDS.map((kind) => [kind, 0])),
    });
  });

  it('waits for a position past the end of the log until an event has it and the feed applied it', async () => {
    const next = http.get('/feed', { headers: { 'x-min-position': String(last.position + 1) } });
    last = await steps.note(seed.id);
    expect((await next).headers.get('x-min-position-reached')).toBe('true');
  });

  it('pages with an opaque cursor on the order stories entered the feed, the latest first', async () => {
    const first = await feed('?limit=1');
    expect(first.items.map((item: { id: string }) => item.id)).toEqual([markets.id]);
    const second = await feed(`?limit=1&cursor=${first.nextCursor}`);
    expect(second.items.map((item: { id: string }) => item.id)).toEqual([seed.id]);
    expect(second.nextCursor).toBeNull();
  });

  it('moves updatedAt on a correction, which appears in the item; a note moves nothing', async () => {
    const before = await feedItemOf(seed.id);
    last = await steps.note(seed.id);
    expect(await feedItemOf(seed.id)).toEqual(before);

    last = await steps.correct(seed.id, 'An earlier version misstated the length of the call.');
    const corrected = await feedItemOf(seed.id);
    expect(corrected.updatedAt > before.updatedAt).toBe(true);
    expect(corrected.publishedAt).toBe(before.publishedAt);
    expect(corrected.corrections).toEqual([
      { id: expect.any(String), kind: 'correction', text: 'An earlier version misstated the length of the call.', issuedAt: corrected.updatedAt },
    ]);

    const jsonFeed = JSON.parse((await read('/feed.json')).text);
    const jsonItem = jsonFeed.items.find((entry: { id: string }) => entry.id === `urn:uuid:${seed.id}`);
    expect(jsonItem.date_modified).toBe(corrected.updatedAt);
    expect(jsonItem.content_html).toContain('An earlier version misstated the length of the call.');
    const rss = await parser.parseString((await read('/feed.rss')).text);
    const rssItem = rss.items.find((entry) => entry.guid === `urn:uuid:${seed.id}`) as Parser.Item & { 'content:encoded': string; updated?: string };
    expect(rssItem['content:encoded']).toContain('An earlier version misstated the length of the call.');
    expect(rssItem.updated).toBe(corrected.updatedAt);
    const atom = await parser.parseString((await read('/feed.atom')).text);
    const atomEntry = atom.items.find((entry) => entry.id === `urn:uuid:${seed.id}`);
    expect(atomEntry?.updated).toBe(corrected.updatedAt);
    expect(atomEntry?.content).toContain('An earlier version misstated the length of the call.');
  });

  it('serves JSON Feed 1.1, RSS 2.0 and Atom 1.0 that independent readers accept', async () => {
    const json = await read('/feed.json');
    expect(json.headers.get('content-type')).toMatch(/^application\/feed\+json/);
    const jsonFeed = JSON.parse(json.text);
    expect(validateJsonFeed(jsonFeed) ? [] : validateJsonFeed.errors).toEqual([]);
    expect(jsonFeed.items.map((item: { id: string }) => item.id)).toEqual([`urn:uuid:${markets.id}`, `urn:uuid:${seed.id}`]);
    expect(jsonFeed.items[1]._newsroom).toMatchObject({ slug: seed.slug, reactions: { like: 0, wow: 0 } });
    // The extension's `about` points into the OpenAPI document the service serves, at its schema.
    const [documentUrl, pointer] = jsonFeed.items[1]._newsroom.about.split('#');
    const openapi = JSON.parse((await read(new URL(documentUrl).pathname)).text);
    const described = pointer.split('/').slice(1).reduce((node: Record<string, unknown> | undefined, key: string) => node?.[key], openapi);
    expect(Object.keys(described?.properties ?? {}).sort()).toEqual(Object.keys(jsonFeed.items[1]._newsroom).sort());

    const rss = await read('/feed.rss');
    expect(rss.headers.get('content-type')).toMatch(/^application\/rss\+xml/);
    const rssFeed = await parser.parseString(rss.text);
    expect(rssFeed.items.map((item) => [item.guid, item.link])).toEqual([
      [`urn:uuid:${markets.id}`, `${baseUrl}/public/articles/${markets.slug}`],
      [`urn:uuid:${seed.id}`, `${baseUrl}/public/articles/${seed.slug}`],
    ]);

    const atom = await read('/feed.atom');
    expect(atom.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const atomFeed = await parser.parseString(atom.text);
    expect(atomFeed.items.map((item) => item.id)).toEqual([`urn:uuid:${markets.id}`, `urn:uuid:${seed.id}`]);
    expect(atomFeed.items[0].title).toBe('Markets rally');
  });

  it.each(['/feed', '/feed.json', '/feed.rss', '/feed.atom'])('answers 304 to a conditional GET of %s while nothing changed', async (path) => {
    const first = await read(path);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(new Date(lastModified).getTime()).not.toBeNaN();
    expect(first.headers.get('cache-control')).toMatch(/public, max-age=\d+/);

    const byTag = await read(path, { 'if-none-match': etag });
    expect([byTag.status, byTag.text]).toEqual([304, '']);
    expect(byTag.headers.get('etag')).toBe(etag);
    expect((await read(path, { 'if-modified-since': lastModified })).status).toBe(304);
    expect((await read(path, { 'if-none-match': '"stale"' })).status).toBe(200);
    expect((await read(path, { 'if-modified-since': 'Mon, 01 Jan 2024 00:00:00 GMT' })).status).toBe(200);
    // Not an HTTP-date: ignored (RFC 9110 §13.1.3), not read as "the year 2099".
    expect((await read(path, { 'if-modified-since': '2099' })).status).toBe(200);
    // A shared cache keys on X-Min-Position: a read waiting for its own write never gets an older copy.
    expect(first.headers.get('vary')).toMatch(/X-Min-Position/i);

    const head = await http.request('HEAD', path, { headers: { 'if-none-match': etag } });
    expect(head.status).toBe(304);
    // RFC 9110 §8.6: a 304 must not state a length other than the 200's.
    expect([null, first.headers.get('content-length')]).toContain(head.headers.get('content-length'));
    expect([null, first.headers.get('content-type')]).toContain(head.headers.get('content-type'));
  });

  it("leads the feed documents' home page, the service's root, to the stories", async () => {
    const root = await fetch(`${app.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe(`${baseUrl}/feed`);
  });

  it('answers 200 with new validators once the feed changed', async () => {
    const before = await read('/feed.atom');
    last = await steps.correct(markets.id, 'The index rose 2%, not 3%.', 'clarification');
    const changed = await read('/feed.atom', { 'if-none-match': before.headers.get('etag')! });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(new Date(changed.headers.get('last-modified')!) >= new Date(before.headers.get('last-modified')!)).toBe(true);
  });

  it('serves the public article as JSON with a ClaimReview per rated claim', async () => {
    const response = await read(`/public/articles/${seed.slug}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('etag')).toBeTruthy();
    const { claimReviews, ...story } = response.body;
    expect(story).toMatchObject({ id: seed.id, slug: seed.slug, body: expect.stringContaining('Washington, D.C.'), corrections: [expect.any(Object)] });
    expect(story.reactions).toEqual(Object.fromEntries(REACTION_KINDS.map((kind) => [kind, 0])));
    expect(claimReviews).toHaveLength(4);
    expect(claimReviews[0]).toEqual({
      '@context': 'https://schema.org',
      '@type': 'ClaimReview',
      url: `${baseUrl}/public/articles/${seed.slug}#claim-${seed.claimIds[0]}`,
      claimReviewed: expect.any(String),
      itemReviewed: { '@type': 'Claim', appearance: { '@type': 'CreativeWork', url: `${baseUrl}/public/articles/${seed.slug}` } },
      datePublished: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      author: { '@type': 'Organization', name: 'Newsroom' },
      reviewRating: { '@type': 'Rating', ratingValue: 5, bestRating: 5, worstRating: 1, alternateName: 'True' },
      // The fact-checker's explanation and evidence, as the page shows them under the claim.
      reviewBody: 'Checked against the readouts.',
      citation: ['https://english.news.cn/'],
    });
    expect(claimReviews.map((review: { reviewRating: object }) => review.reviewRating)).toEqual([
      expect.objectContaining({ ratingValue: 5, alternateName: 'True' }),
      expect.objectContaining({ ratingValue: 4, alternateName: 'Mostly true' }),
      expect.objectContaining({ ratingValue: 3, alternateName: 'Half true' }),
      { '@type': 'Rating', bestRating: 5, worstRating: 1, alternateName: 'Unverifiable' },
    ]);
  });

  it('serves a minimal HTML page with the ClaimReviews as JSON-LD to a browser', async () => {
    const json = await read(`/public/articles/${seed.slug}`);
    const html = await read(`/public/articles/${seed.slug}`, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('vary')).toMatch(/accept/i);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const blocks = [...html.text.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((match) => JSON.parse(match[1]));
    expect(blocks).toEqual(json.body.claimReviews);
    expect(html.text).toContain('<h1>Xi Presses Trump');
  });

  it('serves hostile text inert in the page and in every feed', async () => {
    const story = await steps.publishedStory({ headline: `Hostile ${XSS}`, standfirst: `Standfirst ${XSS}`, body: `Body <img src=x onerror=alert(1)> ${XSS}` }, []);
    last = await steps.correct(story.id, `Correction ${XSS}`);
    const slug = await slugOf(story.id);

    const page = await read(`/public/articles/${slug}`, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/<script>|<img/);
    expect(page.text).toContain('Hostile &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');

    const jsonItem = JSON.parse((await read('/feed.json')).text).items[0];
    expect(jsonItem.title).toBe(`Hostile ${XSS}`);
    expect(jsonItem.content_html).not.toMatch(/<script>|<img/);
    for (const format of ['rss', 'atom']) {
      const [item] = (await parser.parseString((await read(`/feed.${format}`)).text)).items as (Parser.Item & { 'content:encoded'?: string })[];
      // Plain text in RSS (the payload as it was written); HTML in Atom, so escaped there.
      if (format === 'rss') expect(item.title).toBe(`Hostile ${XSS}`);
      else expect(item.title).toContain('&lt;script&gt;');
      expect(item['content:encoded'] ?? item.content).not.toMatch(/<script>|<img/);
    }
  });

  it('serves hostile claims inert in the JSON-LD blocks', async () => {
    const { id } = await steps.draft({ headline: 'Claims under fire' });
    const claim = await steps.claim(id, `A claim ${XSS}<!--`);
    await steps.verdict(id, claim.claimId, 'true');
    await steps.submit(id);
    await steps.approve(id);
    last = await steps.publish(id);
    const page = await read(`/public/articles/${await slugOf(id)}`, { accept: 'text/html' });
    const scripts = [...page.text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(JSON.parse(scripts[0][1]).claimReviewed).toBe(`A claim ${XSS}<!--`);
  });

  it('bylines a reporter assigned by id alone with the name they act under, not the id', async () => {
    const { id } = await steps.publishedStory({ headline: 'A byline by name' });
    last = await steps.assign(id, 'bob', 'reporter');
    expect((await feedItemOf(id)).authors).toEqual([{ name: 'Alice Chen' }, { name: 'bob' }]);
    // Bob (otherReporter: "Bob Osei" in his token) revises the story he was assigned to.
    last = await steps.revise(id, { body: 'Bob adds the readout.' }, TOKENS.otherReporter);
    expect((await feedItemOf(id)).authors).toEqual([{ name: 'Alice Chen' }, { name: 'Bob Osei' }]);
  });

  it('drops a retracted story from the feed and answers 410 with the retraction notice', async () => {
    const before = await read('/feed.json');
    last = await steps.retract(markets.id, 'The market data was misread.');
    expect((await feed()).items.map((item: { id: string }) => item.id)).not.toContain(markets.id);

    const gone: HttpResult = await read(`/public/articles/${markets.slug}`);
    expect(gone.status).toBe(410);
    expect(gone.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // The JSON notice and the page share a URL: a cache must keep them apart.
    expect(gone.headers.get('vary')).toMatch(/\bAccept\b/);
    expect(gone.body).toMatchObject({
      status: 410,
      type: expect.stringContaining('article-retracted'),
      detail: expect.stringContaining('The market data was misread.'),
      retraction: { headline: 'Markets rally', reason: 'The market data was misread.', retractedAt: expect.stringMatching(/^\d{4}-/) },
    });
    // A browser following a link gets the notice as a page.
    const page = await read(`/public/articles/${markets.slug}`, { accept: 'text/html,*/*;q=0.8' });
    expect([page.status, page.headers.get('content-type'), page.headers.get('cache-control')]).toEqual([410, 'text/html; charset=utf-8', 'no-store']);
    expect(page.text).toContain('<h1>Retracted: Markets rally</h1>');
    expect(page.text).toContain('<p>The market data was misread.</p>');

    // The feed changed, so its validators did too: no stale 304 for a client that saw the story.
    const refreshed = await read('/feed.json', { 'if-none-match': before.headers.get('etag')! });
    expect(refreshed.status).toBe(200);
    expect(new Date(refreshed.headers.get('last-modified')!) >= new Date(gone.body.retraction.retractedAt.slice(0, 19) + 'Z')).toBe(true);
  });

  it('renders the same bytes after a rebuild of the projection from the event store', async () => {
    const before = await Promise.all(['/feed', '/feed.json', `/public/articles/${seed.slug}`].map((path) => read(path)));
    const rebuild = await http.post('/admin/projections/public-feed/rebuild?wait=true', undefined, { token: TOKENS.admin });
    expect(rebuild.status).toBe(200);
    const rebuilt = await Promise.all(['/feed', '/feed.json', `/public/articles/${seed.slug}`].map((path) => read(path)));
    expect(rebuilt.map((response) => [response.status, response.headers.get('etag')])).toEqual(
      before.map((response) => [response.status, response.headers.get('etag')]),
    );
  });

  it('serves repeated reads from memory and forgets them when the read model moves', async () => {
    const first = await http.get('/feed');
    const again = await http.get('/feed');
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    // Without X-Min-Position the change shows once the projection applied it and the cache saw it move.
    await steps.correct(seed.id, 'The call lasted about an hour.', 'clarification');
    const deadline = Date.now() + 10_000;
    let changed = again;
    while (changed.headers.get('etag') === first.headers.get('etag') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      changed = await http.get('/feed');
    }
    const item = changed.body.items.find((candidate: { id: string }) => candidate.id === seed.id);
    expect(item.corrections.map((correction: { text: string }) => correction.text)).toContain('The call lasted about an hour.');
  });

  describe('refuses', () => {
    it('405 with Allow for a path the service answers under other methods; 404 for a path it does not answer at all', async () => {
      const cases: [method: string, path: string, allow: string][] = [
        ['DELETE', '/feed.json', 'GET, HEAD'],
        ['POST', '/feed', 'GET, HEAD'],
        ['GET', `/public/articles/${seed.id}/reactions`, 'DELETE, POST'],
        ['PUT', `/articles/${seed.id}`, 'GET, HEAD, PATCH'],
      ];
      for (const [method, path, allow] of cases) {
        const response = await http.request(method, path, { token: TOKENS.editor });
        expect({ method, path, status: response.status, allow: response.headers.get('allow') }).toEqual({ method, path, status: 405, allow });
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(response.body).toMatchObject({ status: 405, title: 'Method not allowed' });
      }
      const unknown = await http.request('DELETE', '/no/such/path');
      expect([unknown.status, unknown.headers.get('allow')]).toEqual([404, null]);
      // Paths the router refuses under the very method it would take elsewhere are unknown, not
      // asked the wrong way: an empty id, a path under the OpenAPI document's prefix.
      // An empty id asked with a method its route does not take is no path either, and a segment
      // longer than the router takes names nothing.
      const long = 'x'.repeat(101);
      for (const [method, path] of [
        ['GET', '/articles/'], ['POST', '/articles//submit'], ['GET', '/public/articles/'], ['GET', '/docs/anything'],
        ['POST', '/articles/'], ['PUT', '/articles/'], ['GET', `/articles/${long}/history`], ['GET', `/public/articles/${long}`],
      ]) {
        const response = await http.request(method, path, { token: TOKENS.editor });
        expect({ method, path, status: response.status, allow: response.headers.get('allow') }).toEqual({ method, path, status: 404, allow: null });
      }
    });

    it('404 for an unknown, malformed or unpublished slug, which no cache may keep (it may be published soon)', async () => {
      for (const slug of ['no-such-story-12345678', 'Not%20A%20Slug', 'not-public-yet-00000000']) {
        const response = await read(`/public/articles/${slug}`);
        expect(response.status).toBe(404);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(response.headers.get('cache-control')).toBe('no-store');
      }
    });

    it.each([
      ['?limit=0', 'limit'],
      ['?limit=abc', 'limit'],
      ['?cursor=bm9wZQ', 'cursor'],
      ['?limit=abc&utm_source=newsletter', 'limit'],
      ['?limit=0&cursor=abc', 'limit,cursor'],
    ])('400 for /feed%s, naming the fields', async (query, fields) => {
      const response = await read(`/feed${query}`);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(fields.split(','));
    });

    it('but ignores parameters a public link collects (utm_*, fbclid, a cache-buster), as the other public URLs do', async () => {
      const plain = await feed('?limit=2');
      const decorated = await read('/feed?limit=2&utm_source=newsletter&fbclid=abc&_=1764300000000');
      expect(decorated.status).toBe(200);
      expect(decorated.body).toEqual(plain);
    });

    it('takes the contract\'s template with its parameters left empty as no parameters', async () => {
      const template = await read('/feed?limit=&cursor=');
      expect(template.status).toBe(200);
      expect(template.body).toEqual(await feed(''));
    });

    // The feed's key is the story's place in it, a bigint: a value PostgreSQL would refuse, and a
    // key of the order before it (publishedAt, id: cursors given out before the upgrade), are 400s.
    it.each([
      ['a place past the largest bigint', ['9223372036854775808']],
      ['a negative place', ['-1']],
      ['a place as a JSON number', [1]],
      ['a (publishedAt, id) key', ['2025-11-24T09:00:00.000Z', '01a21ec9-1c93-73f8-be7e-c7f68e03b647']],
      ['an impossible date', ['2025-02-30T00:00:00.000Z', '01a21ec9-1c93-73f8-be7e-c7f68e03b647']],
    ])('400 for a well-formed cursor holding %s', async (_, key) => {
      const cursor = Buffer.from(JSON.stringify(key)).toString('base64url');
      const response = await read(`/feed?cursor=${cursor}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(['cursor']);
    });

    it('400 for a malformed X-Min-Position', async () => {
      expect((await http.get('/feed.rss', { headers: { 'x-min-position': 'later' } })).status).toBe(400);
    });
  });
});

describe('X-Min-Position past the end of the log', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ workers: true, env: { READ_WAIT_TIMEOUT_MS: '1000' } });
  });
  afterAll(async () => app?.close());

  it('is waited for until the bound, then served as it is and said to be not reached', async () => {
    const http = httpClient(app.url);
    const { position } = await workflow(http).draft();
    const startedAt = Date.now();
    const unreached = await http.get('/feed', { headers: { 'x-min-position': String(position + 1_000_000) } });
    expect([unreached.status, unreached.headers.get('x-min-position-reached')]).toEqual([200, 'false']);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);
  });
});
