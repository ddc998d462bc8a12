import Parser from 'rss-parser';
import { isContractSourceUrl } from '#libs/contracts';
import { tokenOfIdentity } from '../support/security/actors.js';
import { articleIn, databaseProbe, inBatches, type DatabaseProbe, type Fixture, type FixtureState } from '../support/security/fixtures.js';
import { activeContentIn, decodeEntities, scanMarkup, textOf } from '../support/security/markup.js';
import { rawExchange } from '../support/raw-http.js';
import { httpClient, startTestApp, staffToken, type HttpResult, type TestApp } from '../support/test-app.js';

/**
 * Hostile text in every text field the service takes, over HTTP against the real service and
 * PostgreSQL: it is stored and served back as data. The JSON APIs answer it verbatim, the HTML
 * page and the RSS, Atom and JSON feeds escape it, searches match it as text, the tables are all
 * still there afterwards, and bad input is a 4xx, never a 500.
 */

interface Payload {
  name: string;
  text: string;
}

/** At most 55 characters, so a payload (and "<payload> #2") fits every field, tags and section included. */
const PAYLOADS: Payload[] = [
  { name: 'SQL: statement break', text: "'; DROP TABLE events; --" },
  { name: 'SQL: tautology', text: "' OR '1'='1" },
  { name: 'SQL: placeholders, casts, dollar quotes', text: '$1 $2::text $$x$$ ${0} :name' },
  { name: 'SQL: backslashes, LIKE syntax', text: "\\'; \\\\ \\x27 50% a_b \\%" },
  { name: 'HTML: script element', text: '<script>alert(1)</script>' },
  { name: 'HTML: attribute break-out', text: '"><img src=x onerror=alert(1)>' },
  { name: 'HTML: script end in JSON-LD', text: '</script><script>alert(document.cookie)</script>' },
  { name: 'XML: CDATA end, comment, entities', text: ']]><!-- --> &amp; &lt;b&gt; <![CDATA[x' },
  { name: 'Unicode: tab, separators, bidi override, zero-width space', text: 'tab\there \u2028\u2029 \u202e \u200bx' },
];

/**
 * Text PostgreSQL cannot store in text or jsonb (NUL, a lone surrogate), or the XML of the RSS and
 * Atom feeds cannot carry (other control characters): the service must refuse it (4xx), not fail
 * on it, nor serve one text in JSON and another in the feeds.
 */
const UNSTORABLE: Payload[] = [
  { name: 'NUL', text: 'before\u0000after' },
  { name: 'lone surrogate', text: 'before\ud800after' },
  { name: 'control characters', text: 'bell\u0007 escape\u001b[31m' },
];

/** What one payload went through: a story carrying it in every field, and a story retracted for it. */
interface PayloadStory {
  payload: Payload;
  id: string;
  slug: string;
  ratedClaimId: string;
  pendingClaimId: string;
  retractedId: string;
  retractedSlug: string;
}

type Http = ReturnType<typeof httpClient>;
const editor = { token: tokenOfIdentity('editor') };
const factChecker = { token: tokenOfIdentity('factChecker') };
const admin = { token: tokenOfIdentity('admin') };

async function ok(response: Promise<HttpResult>, what: string): Promise<HttpResult> {
  const result = await response;
  if (result.status !== 200 && result.status !== 201) throw new Error(`${what} answered ${result.status}: ${result.text}`);
  return result;
}

/**
 * A story with the payload in every field, through every write that takes text: drafted by a
 * reporter whose name is the payload, revised, assigned to a reporter whose id and name are the
 * payload, with two claims (one rated, one pending), a note, a change request, an override
 * reason, a clarification; and a second story retracted with the payload as the reason.
 */
async function storyCarrying(http: Http, payload: Payload, index: number): Promise<PayloadStory> {
  const p = payload.text;
  const reporter = { token: staffToken(`injection-reporter-${index}`, p, ['reporter']) };
  const drafted = await ok(
    http.post('/articles', { headline: p, standfirst: 'A plain standfirst.', body: `${p}\n\nSecond paragraph: ${p}`, section: p, tags: [p, `${p} #2`] }, reporter),
    'draft',
  );
  const id: string = drafted.body.id;
  await ok(http.patch(`/articles/${id}`, { standfirst: p }, reporter), 'revise');
  await ok(http.post(`/articles/${id}/assign`, { userId: p, as: 'reporter', name: p }, editor), 'assign');
  const rated = await ok(http.post(`/articles/${id}/claims`, { text: p, quote: p }, reporter), 'claim');
  const pending = await ok(http.post(`/articles/${id}/claims`, { text: `${p} (pending)`, quote: p }, factChecker), 'second claim');
  await ok(
    http.post(
      `/articles/${id}/claims/${rated.body.claimId}/verdict`,
      { rating: 'mostly_true', explanation: p, sources: [`https://example.com/search?q=${encodeURIComponent(p)}`] },
      factChecker,
    ),
    'verdict',
  );
  await ok(http.post(`/articles/${id}/notes`, { text: p }, factChecker), 'note');
  await ok(http.post(`/articles/${id}/submit`, undefined, reporter), 'submit');
  await ok(http.post(`/articles/${id}/request-changes`, { reason: p }, editor), 'request changes');
  await ok(http.post(`/articles/${id}/submit`, undefined, reporter), 'resubmit');
  await ok(http.post(`/articles/${id}/approve`, undefined, editor), 'approve');
  // The pending claim stops the gate: the override reason carries the payload too.
  await ok(http.post(`/articles/${id}/publish`, { overrideReason: p }, editor), 'publish');
  await ok(http.post(`/articles/${id}/corrections`, { kind: 'clarification', text: p }, editor), 'clarification');

  const retracted = await ok(
    http.post('/articles', { headline: `Retracted: ${p}`, body: 'A story that did not stand up.', section: 'retractions' }, reporter),
    'draft to retract',
  );
  const retractedId: string = retracted.body.id;
  await ok(http.post(`/articles/${retractedId}/submit`, undefined, reporter), 'submit to retract');
  await ok(http.post(`/articles/${retractedId}/approve`, undefined, editor), 'approve to retract');
  await ok(http.post(`/articles/${retractedId}/publish`, {}, editor), 'publish to retract');
  const retractedSlug: string = (await http.get(`/articles/${retractedId}`, editor)).body.slug;
  await ok(http.post(`/articles/${retractedId}/retract`, { reason: p }, editor), 'retract');

  const slug: string = (await http.get(`/articles/${id}`, editor)).body.slug;
  return { payload, id, slug, ratedClaimId: rated.body.claimId, pendingClaimId: pending.body.claimId, retractedId, retractedSlug };
}

const isProblem = (response: HttpResult) => /^application\/problem\+json/.test(response.headers.get('content-type') ?? '');

describe('injection: hostile text is stored and served back inert', () => {
  let app: TestApp;
  let http: Http;
  let database: DatabaseProbe;
  let tablesBefore: string[];
  let settled: number;
  const stories: PayloadStory[] = [];
  const storyOf = (payload: Payload) => stories.find((story) => story.payload === payload)!;
  const parser = new Parser();

  /** A read of the read models once they have every write of the setup. */
  const read = async (path: string, options: { token?: string; headers?: Record<string, string> } = {}) => {
    const response = await http.get(path, { ...options, headers: { 'x-min-position': String(settled), ...options.headers } });
    expect(response.headers.get('x-min-position-reached')).toBe('true');
    return response;
  };

  /** Every board row, page after page. */
  const wholeBoard = async (): Promise<{ id: string; headline: string }[]> => {
    const rows: { id: string; headline: string }[] = [];
    let cursor: string | null = null;
    do {
      const response: HttpResult = await read(`/board?limit=100${cursor ? `&cursor=${cursor}` : ''}`, editor);
      expect(response.status).toBe(200);
      rows.push(...response.body.items);
      cursor = response.body.nextCursor;
    } while (cursor);
    return rows;
  };

  beforeAll(async () => {
    app = await startTestApp({ workers: true, env: { PROJECTION_POLL_MS: '20' } });
    http = httpClient(app.url);
    database = databaseProbe(app.database.url);
    tablesBefore = await database.tables();
    // A plain story, which no search for a payload may find.
    await articleIn(http, 'published', 'Markets rally in Asia');
    stories.push(...(await inBatches(PAYLOADS.map((payload, index) => () => storyCarrying(http, payload, index)), 4)));
    settled = await database.lastPosition();
  });
  afterAll(async () => {
    await database?.close();
    await app?.close();
  });

  it('control: the inertness checks catch injected markup (so a page that passes them is inert)', () => {
    expect(activeContentIn('<p>ok</p><script>alert(1)</script>')).toEqual(['<script> of type (none)']);
    expect(activeContentIn('<p>ok</p>"><img src=x onerror=alert(1)>')).toEqual(['unexpected <img>', 'event handler onerror on <img>']);
    expect(activeContentIn('<p><a href=" javascript:alert(1)">x</a></p>')).toEqual([
      'script URL in href of <a>',
      'link to  javascript:alert(1): only http(s) sources are linked',
    ]);
    expect(activeContentIn('<p><blink>x</blink></p>')).toEqual(['unexpected <blink>', 'unexpected </blink>']);
    expect(activeContentIn('<p>1 < 2</p>')).toEqual(['1 unescaped "<" in text']);
    expect(activeContentIn('<p>&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>')).toEqual([]);
    expect(charactersXmlForbids('<a>\u0007\u001b\ud800</a>')).toEqual(['U+0007', 'U+001B', 'U+D800']);
  });

  describe.each(PAYLOADS)('$name: $text', (payload) => {
    const p = payload.text;
    const escapesToSomething = /[<>&"']/.test(p);
    /** The tags a feed or page must never carry raw; their escaped text (`&lt;img ... onerror=`) is fine. */
    const RAW_ACTIVE_TAG = /<(script|img)[\s>]/i;

    it('the editorial JSON answers every field verbatim', async () => {
      const story = storyOf(payload);
      const response = await http.get(`/articles/${story.id}`, editor);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.body).toMatchObject({
        headline: p,
        standfirst: p,
        body: `${p}\n\nSecond paragraph: ${p}`,
        section: p,
        tags: [p, `${p} #2`],
        status: 'published',
        author: { name: p },
        authors: [{ name: p }, { id: p, name: p }],
        assignees: [expect.objectContaining({ id: p, name: p, as: 'reporter' })],
        lastChangeRequest: expect.objectContaining({ reason: p }),
        overrideReason: p,
        notes: [expect.objectContaining({ text: p })],
        corrections: [expect.objectContaining({ kind: 'clarification', text: p })],
      });
      expect(response.body.claims).toEqual([
        expect.objectContaining({ id: story.ratedClaimId, text: p, quote: p, verdict: expect.objectContaining({ explanation: p }) }),
        expect.objectContaining({ id: story.pendingClaimId, text: `${p} (pending)`, quote: p, verdict: null }),
      ]);
      expect(response.body.claims[0].verdict.sources).toEqual([`https://example.com/search?q=${encodeURIComponent(p)}`]);

      // The diff of the revision (version 1 to 2): the runs it did not remove spell the new standfirst exactly.
      const diff = await http.get(`/articles/${story.id}/diff?from=1&to=2`, editor);
      expect(diff.status).toBe(200);
      const newer = diff.body.changes.standfirst.filter((change: { removed?: true }) => !change.removed);
      expect(newer.map((change: { value: string }) => change.value).join('')).toBe(p);

      const retracted = await http.get(`/articles/${story.retractedId}`, editor);
      expect(retracted.body).toMatchObject({ status: 'retracted', headline: `Retracted: ${p}`, retraction: expect.objectContaining({ reason: p }) });
    });

    it('the history answers every event verbatim', async () => {
      const story = storyOf(payload);
      const response = await http.get(`/articles/${story.id}/history`, editor);
      expect(response.status).toBe(200);
      const dataOf = (type: string) => response.body.events.filter((event: { type: string }) => event.type === type).map((event: { data: unknown }) => event.data);
      expect(response.body.events[0]).toMatchObject({ type: 'ArticleDrafted', actor: { name: p }, data: { headline: p, section: p, tags: [p, `${p} #2`] } });
      expect(dataOf('ArticleRevised')).toEqual([expect.objectContaining({ changes: { standfirst: p } })]);
      expect(dataOf('ArticleAssigned')).toEqual([expect.objectContaining({ assignee: { id: p, name: p } })]);
      expect(dataOf('ClaimAdded')).toEqual([expect.objectContaining({ text: p, quote: p }), expect.objectContaining({ text: `${p} (pending)` })]);
      expect(dataOf('FactChecked')).toEqual([expect.objectContaining({ explanation: p })]);
      expect(dataOf('EditorialNoteAdded')).toEqual([expect.objectContaining({ text: p })]);
      expect(dataOf('ChangesRequested')).toEqual([expect.objectContaining({ reason: p })]);
      expect(dataOf('Published')).toEqual([expect.objectContaining({ headline: p, standfirst: p, overrideReason: p })]);
      expect(dataOf('CorrectionIssued')).toEqual([expect.objectContaining({ text: p })]);
    });

    it('the board finds it as text: q, section and assignee match exactly the rows that contain it', async () => {
      const story = storyOf(payload);
      const everything = await wholeBoard();
      const containing = everything.filter((row) => row.headline.toLowerCase().includes(p.toLowerCase())).map((row) => row.id);
      expect(containing).toEqual(expect.arrayContaining([story.id, story.retractedId]));

      const search = await read(`/board?limit=100&q=${encodeURIComponent(p)}`, editor);
      expect(search.status).toBe(200);
      expect(search.body.items.map((row: { id: string }) => row.id).sort()).toEqual([...containing].sort());
      expect(search.body.items.find((row: { id: string }) => row.id === story.id)).toMatchObject({ headline: p, section: p, tags: [p, `${p} #2`] });

      const section = await read(`/board?limit=100&section=${encodeURIComponent(p)}`, editor);
      expect(section.body.items.map((row: { id: string }) => row.id)).toEqual([story.id]);
      const assignee = await read(`/board?limit=100&assignee=${encodeURIComponent(p)}`, editor);
      expect(assignee.body.items.map((row: { id: string }) => row.id)).toEqual([story.id]);
      expect(assignee.body.items[0].assignees).toEqual([expect.objectContaining({ id: p, name: p })]);
    });

    it('the fact-check queue answers the pending claim verbatim', async () => {
      const story = storyOf(payload);
      const queue = await read('/fact-checks/queue?limit=100', factChecker);
      expect(queue.status).toBe(200);
      const mine = queue.body.items.filter((claim: { articleId: string }) => claim.articleId === story.id);
      expect(mine).toEqual([expect.objectContaining({ claimId: story.pendingClaimId, headline: p, text: `${p} (pending)`, quote: p })]);
    });

    it('the JSON feed item and the public article JSON answer it verbatim', async () => {
      const story = storyOf(payload);
      const feed = await read('/feed?limit=100');
      expect(feed.status).toBe(200);
      const item = feed.body.items.find((candidate: { id: string }) => candidate.id === story.id);
      expect(item).toMatchObject({
        headline: p,
        standfirst: p,
        section: p,
        tags: [p, `${p} #2`],
        authors: [{ name: p }, { name: p }],
        corrections: [expect.objectContaining({ kind: 'clarification', text: p })],
      });
      expect(feed.body.items.some((candidate: { id: string }) => candidate.id === story.retractedId)).toBe(false);

      const article = await read(`/public/articles/${story.slug}`);
      expect(article.status).toBe(200);
      expect(article.headers.get('content-type')).toMatch(/^application\/json/);
      expect(article.body).toMatchObject({ headline: p, body: `${p}\n\nSecond paragraph: ${p}` });
      expect(article.body.claimReviews).toEqual([expect.objectContaining({ claimReviewed: p })]);
    });

    it('the HTML page shows it as text: no element, attribute or script it did not write', async () => {
      const story = storyOf(payload);
      const page = await read(`/public/articles/${story.slug}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toBe("default-src 'none'");
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const html = page.text;

      expect(activeContentIn(html)).toEqual([]);
      // Outside the JSON-LD data blocks (JSON, checked below) the text only ever appears escaped.
      const markupOnly = html.replace(/<script type="application\/ld\+json">[\s\S]*?<\/script>/g, '');
      if (escapesToSomething) expect(markupOnly).not.toContain(p);
      expect(markupOnly).not.toMatch(RAW_ACTIVE_TAG);

      expect(textOf(html, 'title')).toBe(p);
      expect(textOf(html, 'h1')).toBe(p);
      expect(textOf(html, 'strong')).toBe(p);
      expect(decodeEntities(html)).toContain(`By ${p}, ${p} · Published`);
      const [storyHtml, factChecks] = html.split('<section class="fact-checks">');
      const paragraphs = [...storyHtml.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((match) => decodeEntities(match[1]).replace(/<br>/g, '\n'));
      expect(paragraphs).toEqual([p, `Second paragraph: ${p}`]);
      // The verdict's explanation, under the claim it rates.
      expect(decodeEntities(factChecks)).toContain(`<strong>Mostly true.</strong> ${p}`);
      expect(textOf(html, 'section')).toContain(p);

      // The ClaimReview data blocks are JSON that parses back to the claim, whatever it says.
      const blocks = scanMarkup(html).tags.filter((tag) => tag.name === 'script' && !tag.closing);
      expect(blocks).toHaveLength(1);
      expect(blocks[0].attributes.type).toBe('application/ld+json');
      expect(JSON.parse(blocks[0].rawText!)).toMatchObject({ '@type': 'ClaimReview', claimReviewed: p });
    });

    it('the RSS item carries it as text, escaped once in its HTML fields', async () => {
      const story = storyOf(payload);
      const response = await read('/feed.rss');
      expect(response.status).toBe(200);
      const feed = await parser.parseString(response.text);
      const item = feed.items.find((candidate) => candidate.guid === `urn:uuid:${story.id}`);
      expect(item).toBeDefined();
      // An RSS title is plain text: the reader gets the payload itself, to show as text.
      expect(item!.title).toBe(xmlSafe(p));
      expect(xmlSafe(decodeEntities(item!.content!))).toContain(xmlSafe(p));
      expect(activeContentIn(item!['content:encoded'])).toEqual([]);
      expect(xmlSafe(decodeEntities(item!['content:encoded']))).toContain(xmlSafe(p));
      expect(item!.categories).toEqual([xmlSafe(p), `${xmlSafe(p)} #2`]);
      expect(response.text).not.toMatch(RAW_ACTIVE_TAG);
      expect(feed.items.some((candidate) => candidate.guid === `urn:uuid:${story.retractedId}`)).toBe(false);
    });

    it('the Atom entry carries it as text, escaped once in its HTML fields', async () => {
      const story = storyOf(payload);
      const response = await read('/feed.atom');
      expect(response.status).toBe(200);
      const feed = await parser.parseString(response.text);
      const item = feed.items.find((candidate) => candidate.id === `urn:uuid:${story.id}`);
      expect(item).toBeDefined();
      expect(activeContentIn(item!.title!)).toEqual([]);
      expect(decodeEntities(item!.title!)).toBe(xmlSafe(p));
      expect(activeContentIn(item!.content!)).toEqual([]);
      // (Whether the document is well-formed XML is a test of its own, below.)
      expect(xmlSafe(decodeEntities(item!.content!))).toContain(xmlSafe(p));
      expect(response.text).not.toMatch(RAW_ACTIVE_TAG);
    });

    it('the JSON Feed carries it as plain text, and its HTML content inert', async () => {
      const story = storyOf(payload);
      const response = await read('/feed.json');
      expect(response.status).toBe(200);
      const feed = JSON.parse(response.text);
      const item = feed.items.find((candidate: { id: string }) => candidate.id === `urn:uuid:${story.id}`);
      expect(item).toMatchObject({ title: p, summary: p, tags: [p, `${p} #2`], authors: [{ name: p }, { name: p }] });
      expect(activeContentIn(item.content_html)).toEqual([]);
      expect(decodeEntities(item.content_html)).toContain(p);
    });

    it('the retracted story answers 410: problem+json with the reason as data, and to a browser an inert page', async () => {
      const story = storyOf(payload);
      const json = await read(`/public/articles/${story.retractedSlug}`, { headers: { accept: 'application/json' } });
      expect(json.status).toBe(410);
      expect(json.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(json.body.retraction).toMatchObject({ reason: p, headline: `Retracted: ${p}` });

      const page = await read(`/public/articles/${story.retractedSlug}`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect([page.status, page.headers.get('content-type')]).toEqual([410, 'text/html; charset=utf-8']);
      expect(activeContentIn(page.text)).toEqual([]);
      expect(decodeEntities(page.text)).toContain(`<p>${p}</p>`);
    });
  });

  it.each(['/feed.rss', '/feed.atom'])('%s stays well-formed XML whatever the stories say: no character XML 1.0 forbids', async (path) => {
    const response = await read(path);
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/^<\?xml version="1\.0"/);
    expect(charactersXmlForbids(response.text)).toEqual([]);
    await expect(parser.parseString(response.text)).resolves.toBeDefined();
  });

  describe('board search with SQL-ish and LIKE-ish text matches only rows that contain it', () => {
    const QUERIES = ["' OR '1'='1", "' OR 1=1 --", "%' OR '1'='1", "') OR ('a'='a", '%', '_', '\\', '%%', '*', "'", ';', '$1', 'OR'];
    it.each(QUERIES)('q=%s', async (q) => {
      const everything = await wholeBoard();
      const expected = everything.filter((row) => row.headline.toLowerCase().includes(q.toLowerCase())).map((row) => row.id);
      const search = await read(`/board?limit=100&q=${encodeURIComponent(q)}`, editor);
      expect(search.status).toBe(200);
      expect(search.body.items.map((row: { id: string }) => row.id).sort()).toEqual([...expected].sort());
      expect(search.body.items.length).toBeLessThan(everything.length);
    });
  });

  describe('source URLs: only http(s)', () => {
    let fixture: Fixture;
    beforeAll(async () => {
      fixture = await articleIn(http, 'draft with claim', 'Sources');
    });

    it.each([
      'javascript:alert(1)',
      'JavaScript:alert(document.cookie)',
      ' javascript:alert(1)',
      'javascript://example.com/%0Aalert(1)',
      'data:text/html,<script>alert(1)</script>',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://example.com/file',
      '//example.com/protocol-relative',
      'https://example.com/"><script>alert(1)</script>',
      "https://example.com/' OR '1'='1",
      // Not URIs (RFC 3986), so FactChecked's schema would refuse them on Kafka.
      'https://example.com/%zz',
      'https://example.com/{x}',
      'https://example.com/path#frag|x',
    ])('refuses %s (400 on sources, nothing written)', async (url) => {
      const before = await database.lastPosition();
      const response = await http.post(
        `/articles/${fixture.id}/claims/${fixture.claimId}/verdict`,
        { rating: 'true', explanation: 'Checked.', sources: ['https://english.news.cn/', url] },
        factChecker,
      );
      expect(response.status).toBe(400);
      expect(isProblem(response)).toBe(true);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'sources' })]);
      expect(await database.lastPosition()).toBe(before);
    });

    it('records international addresses (IRIs) as the URIs they stand for, which the contract takes', async () => {
      const { id, claimId } = await articleIn(http, 'draft with claim', 'International sources');
      const response = await http.post(
        `/articles/${id}/claims/${claimId}/verdict`,
        { rating: 'true', explanation: 'Checked.', sources: ['https://例え.jp/', 'HTTPS://EXAMPLE.COM/Straße?q=ü'] },
        factChecker,
      );
      expect(response.status).toBe(200);
      const stored = await http.get(`/articles/${id}`, factChecker);
      const sources: string[] = stored.body.claims[0].verdict.sources;
      expect(sources).toEqual(['https://xn--r8jz45g.jp/', 'https://EXAMPLE.COM/Stra%C3%9Fe?q=%C3%BC']);
      expect(sources.filter((source) => !isContractSourceUrl(source))).toEqual([]);
    });

    it('control: the same verdict with http(s) sources is recorded', async () => {
      const response = await http.post(
        `/articles/${fixture.id}/claims/${fixture.claimId}/verdict`,
        { rating: 'true', explanation: 'Checked.', sources: ['https://english.news.cn/', 'http://example.com/path?q=%3Cscript%3E'] },
        factChecker,
      );
      expect(response.status).toBe(200);
    });
  });

  describe('payloads in path parameters, query parameters and headers are refused or match nothing', () => {
    const SAMPLES = ["'; DROP TABLE events; --", "' OR '1'='1", '<script>alert(1)</script>', '../../etc/passwd', '$1'];
    let fixture: Fixture;
    beforeAll(async () => {
      fixture = await articleIn(http, 'published', 'Parameters');
    });

    it.each(SAMPLES)('path parameters: %s names no article, claim, slug or projection (404)', async (sample) => {
      const segment = encodeURIComponent(sample);
      const reader = { 'x-reader-id': 'injection-reader-1' };
      const answers = [
        await http.get(`/articles/${segment}`, editor),
        await http.get(`/articles/${segment}/history`, editor),
        await http.post(`/articles/${segment}/notes`, { text: 'x' }, editor),
        await http.post(`/articles/${fixture.id}/claims/${segment}/verdict`, { rating: 'true', explanation: 'x', sources: [] }, factChecker),
        await http.get(`/public/articles/${segment}`),
        await http.post(`/public/articles/${segment}/reactions`, { kind: 'like' }, { headers: reader }),
        await http.post(`/admin/projections/${segment}/rebuild`, undefined, admin),
      ];
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 404));
      expect(answers.every(isProblem)).toBe(true);
    });

    it.each(SAMPLES)('query parameters: %s is a 400 where it must be a number, status or cursor', async (sample) => {
      const value = encodeURIComponent(sample);
      const answers = [
        await http.get(`/board?status=${value}`, editor),
        await http.get(`/board?limit=${value}`, editor),
        await http.get(`/board?cursor=${value}`, editor),
        await http.get(`/feed?cursor=${value}`),
        await http.get(`/fact-checks/queue?cursor=${value}`, editor),
        await http.get(`/articles/${fixture.id}?version=${value}`, editor),
        await http.get(`/articles/${fixture.id}/diff?from=${value}`, editor),
      ];
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 400));
      expect(answers.every(isProblem)).toBe(true);
    });

    it.each(SAMPLES)('headers: %s as X-Reader-Id, If-Match or X-Min-Position is a 400', async (sample) => {
      const before = await database.lastPosition();
      const reaction = await http.post(`/public/articles/${fixture.id}/reactions`, { kind: 'like' }, { headers: { 'x-reader-id': sample } });
      const ifMatch = await http.post(`/articles/${fixture.id}/notes`, { text: 'x' }, { ...editor, headers: { 'if-match': sample } });
      const minPosition = await http.get('/board', { ...editor, headers: { 'x-min-position': sample } });
      expect([reaction.status, ifMatch.status, minPosition.status]).toEqual([400, 400, 400]);
      expect(reaction.body.errors).toEqual([expect.objectContaining({ field: 'X-Reader-Id' })]);
      expect(ifMatch.body.errors).toEqual([expect.objectContaining({ field: 'If-Match' })]);
      expect(await database.lastPosition()).toBe(before);
    });

    it.each(SAMPLES)('headers: %s as X-Request-Id is not taken (not a request id), so not echoed', async (sample) => {
      const requestId = await http.get('/feed', { headers: { 'x-request-id': sample } });
      expect(requestId.status).toBe(200);
      expect(requestId.headers.get('x-request-id')).not.toBe(sample);
      expect(requestId.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/);
    });

    it('a reaction kind carrying a payload is a 400', async () => {
      const response = await http.post(`/public/articles/${fixture.id}/reactions`, { kind: "like' OR '1'='1" }, { headers: { 'x-reader-id': 'injection-reader-2' } });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'kind' })]);
    });

    it('a malformed percent-encoding in the path is a 400 problem, not a 500', async () => {
      const response = await http.get('/articles/%E0%A4%A', editor);
      expect(response.status).toBe(400);
      expect(isProblem(response)).toBe(true);
    });

    it('an Expect other than 100-continue is a 417 problem', async () => {
      const response = await rawExchange(app.url, Buffer.from('GET /feed HTTP/1.1\r\nHost: localhost\r\nExpect: foo\r\nConnection: close\r\n\r\n', 'utf8'));
      expect(response.head).toMatch(/^HTTP\/1\.1 417 /);
      expect(response.head).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
      expect(JSON.parse(response.body)).toMatchObject({ status: 417, type: expect.stringContaining('expectation-failed') });
    });

    it('a path segment too long for the router is a 404 problem with the headers every error carries', async () => {
      const response = await http.get(`/public/articles/${'a'.repeat(3000)}`);
      expect(response.status).toBe(404);
      expect(isProblem(response)).toBe(true);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-request-id')).toEqual(expect.any(String));
    });

    it.each([
      ['a raw non-ASCII character in the path', 'GET /public/articles/\u00fc HTTP/1.1\r\nHost: localhost\r\n\r\n'],
      ['an unknown method', 'FOO /board HTTP/1.1\r\nHost: localhost\r\n\r\n'],
      ['two different Content-Length headers', 'POST /articles HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ])('%s, refused by the HTTP parser before any route, is a 400 problem', async (_, request) => {
      const response = await rawExchange(app.url, Buffer.from(request, 'utf8'));
      expect(response.head).toMatch(/^HTTP\/1\.1 400 /);
      expect(response.head).toMatch(/\r\ncontent-type: application\/problem\+json\r\n/i);
      expect(JSON.parse(response.body)).toMatchObject({ status: 400, type: expect.stringContaining('malformed-http'), detail: expect.any(String) });
    });
  });

  describe('JSON bodies with operators, prototype keys and wrong types are refused (400) and write nothing', () => {
    const valid = { headline: 'Valid headline', body: 'Valid body.', section: 'world' };
    it.each([
      ['an operator object as a text field', JSON.stringify({ ...valid, headline: { $gt: '' } })],
      ['an operator object in tags', JSON.stringify({ ...valid, tags: [{ $ne: null }] })],
      ['tags as a string', JSON.stringify({ ...valid, tags: "'; DROP TABLE events; --" })],
      ['a number as a text field', JSON.stringify({ ...valid, section: 1 })],
      ['a __proto__ key', `{"headline":"x","body":"y","section":"z","__proto__":{"roles":["admin"]}}`],
      ['a constructor.prototype key', `{"headline":"x","body":"y","section":"z","constructor":{"prototype":{"roles":["admin"]}}}`],
      ['an SQL fragment as the body', "'; DROP TABLE events; --"],
      ['an array', JSON.stringify([valid])],
    ])('%s', async (_, rawBody) => {
      const before = await database.lastPosition();
      const response = await http.request('POST', '/articles', { token: tokenOfIdentity('author'), rawBody });
      expect(response.status).toBe(400);
      expect(isProblem(response)).toBe(true);
      expect(await database.lastPosition()).toBe(before);
      expect(({} as Record<string, unknown>).roles).toBeUndefined();
    });
  });

  describe('text PostgreSQL cannot store (NUL, lone surrogates) or XML cannot carry (control characters) is refused with a 4xx, never a 500', () => {
    /** Each channel: the article state it needs (null: none), and the request carrying the text. */
    interface Channel {
      name: string;
      state: FixtureState | null;
      /** `url`: the text travels percent-encoded in the URL; else in the JSON body or the token. */
      url?: true;
      send: (http: Http, article: Fixture, text: string) => Promise<HttpResult>;
    }
    /**
     * Percent-encoding for text that may hold a lone surrogate, which encodeURIComponent refuses:
     * it goes as the bytes a careless encoder writes for it (ED A0 80, not valid UTF-8).
     */
    const loosely = (text: string) => text.split('\ud800').map(encodeURIComponent).join('%ED%A0%80');
    const author = () => ({ token: tokenOfIdentity('author') });
    const draft = (fields: Record<string, unknown>) => ({ headline: 'Headline', body: 'Body.', section: 'world', ...fields });
    const CHANNELS: Channel[] = [
      { name: 'POST /articles headline', state: null, send: (h, _, t) => h.post('/articles', draft({ headline: t }), author()) },
      { name: 'POST /articles standfirst', state: null, send: (h, _, t) => h.post('/articles', draft({ standfirst: t }), author()) },
      { name: 'POST /articles body', state: null, send: (h, _, t) => h.post('/articles', draft({ body: t }), author()) },
      { name: 'POST /articles section', state: null, send: (h, _, t) => h.post('/articles', draft({ section: t }), author()) },
      { name: 'POST /articles tags', state: null, send: (h, _, t) => h.post('/articles', draft({ tags: [t] }), author()) },
      { name: 'the token name', state: null, send: (h, _, t) => h.post('/articles', draft({}), { token: staffToken('nul-name', t, ['reporter']) }) },
      { name: 'the token sub', state: null, send: (h, _, t) => h.post('/articles', draft({}), { token: staffToken(t, 'Someone', ['reporter']) }) },
      { name: 'PATCH /articles/:id headline', state: 'draft', send: (h, a, t) => h.patch(`/articles/${a.id}`, { headline: t }, author()) },
      { name: 'PATCH /articles/:id standfirst', state: 'draft', send: (h, a, t) => h.patch(`/articles/${a.id}`, { standfirst: t }, author()) },
      { name: 'PATCH /articles/:id body', state: 'draft', send: (h, a, t) => h.patch(`/articles/${a.id}`, { body: t }, author()) },
      { name: 'claim text', state: 'draft', send: (h, a, t) => h.post(`/articles/${a.id}/claims`, { text: t }, author()) },
      { name: 'claim quote', state: 'draft', send: (h, a, t) => h.post(`/articles/${a.id}/claims`, { text: 'A claim.', quote: t }, author()) },
      {
        name: 'verdict explanation',
        state: 'draft with claim',
        send: (h, a, t) => h.post(`/articles/${a.id}/claims/${a.claimId}/verdict`, { rating: 'true', explanation: t, sources: [] }, factChecker),
      },
      {
        name: 'verdict source URL',
        state: 'draft with claim',
        send: (h, a, t) =>
          h.post(`/articles/${a.id}/claims/${a.claimId}/verdict`, { rating: 'true', explanation: 'E.', sources: [`https://example.com/a${t}?q=${t}#${t}`] }, factChecker),
      },
      { name: 'change-request reason', state: 'in_review', send: (h, a, t) => h.post(`/articles/${a.id}/request-changes`, { reason: t }, editor) },
      { name: 'publish override reason', state: 'approved', send: (h, a, t) => h.post(`/articles/${a.id}/publish`, { overrideReason: t }, editor) },
      { name: 'correction text', state: 'published', send: (h, a, t) => h.post(`/articles/${a.id}/corrections`, { kind: 'correction', text: t }, editor) },
      { name: 'retraction reason', state: 'published', send: (h, a, t) => h.post(`/articles/${a.id}/retract`, { reason: t }, editor) },
      { name: 'note text', state: 'draft', send: (h, a, t) => h.post(`/articles/${a.id}/notes`, { text: t }, author()) },
      { name: 'assignee userId', state: 'draft', send: (h, a, t) => h.post(`/articles/${a.id}/assign`, { userId: t, as: 'fact_checker' }, editor) },
      { name: 'assignee name', state: 'draft', send: (h, a, t) => h.post(`/articles/${a.id}/assign`, { userId: 'dave', as: 'fact_checker', name: t }, editor) },
      { name: 'GET /board?q', state: null, url: true, send: (h, _, t) => h.get(`/board?q=${loosely(t)}`, editor) },
      { name: 'GET /board?section', state: null, url: true, send: (h, _, t) => h.get(`/board?section=${loosely(t)}`, editor) },
      { name: 'GET /board?assignee', state: null, url: true, send: (h, _, t) => h.get(`/board?assignee=${loosely(t)}`, editor) },
      { name: 'GET /articles/:id', state: null, url: true, send: (h, _, t) => h.get(`/articles/${loosely(t)}`, editor) },
      { name: 'GET /public/articles/:slug', state: null, url: true, send: (h, _, t) => h.get(`/public/articles/${loosely(t)}`) },
    ];
    const cases = UNSTORABLE.flatMap((payload) => CHANNELS.map((channel) => ({ payload, channel })));
    const articles = new Map<string, Fixture>();
    const keyOf = (payload: Payload, channel: Channel) => `${payload.name} in ${channel.name}`;

    beforeAll(async () => {
      // A fresh article per case: an accepted write must not change what another case sees.
      const needing = cases.filter(({ channel }) => channel.state !== null);
      const made = await inBatches(needing.map(({ payload, channel }) => () => articleIn(http, channel.state!, keyOf(payload, channel))));
      needing.forEach(({ payload, channel }, index) => articles.set(keyOf(payload, channel), made[index]));
    });

    it.each(cases)('$payload.name in $channel.name', async ({ payload, channel }) => {
      const article = articles.get(keyOf(payload, channel)) ?? ({ id: '', claimId: null } as Fixture);
      const before = await database.lastPosition();
      const response = await channel.send(http, article, payload.text);
      const { status } = response;
      expect(await database.lastPosition()).toBe(before);
      if (channel.url && payload.name === 'lone surrogate') {
        // Not UTF-8 at all: refusing it (4xx) or reading it as some other text that matches nothing are both fine.
        expect({ status, detail: response.body?.detail }).toMatchObject({ status: expect.any(Number) });
        expect(status).toBeLessThan(500);
        if (status < 300) expect(response.body.items).toEqual([]);
        return;
      }
      // The status with the problem's detail alongside, so a failure says what happened.
      expect({ status, is4xx: status >= 400 && status < 500, detail: response.body?.detail }).toMatchObject({ is4xx: true });
      expect(isProblem(response)).toBe(true);
      // Refused by the service's own checks, not by PostgreSQL (which answers `invalid-value`).
      expect(response.body.type).not.toMatch(/invalid-value$/);
    });
  });

  it('afterwards the database has every table it had, and the events are all there', async () => {
    expect(await database.tables()).toEqual(tablesBefore);
    expect(tablesBefore).toEqual(expect.arrayContaining(['events', 'editor_board', 'fact_check_queue', 'public_feed', 'reaction_counts']));
    expect(await database.eventCount()).toBeGreaterThanOrEqual(settled);
  });
});

/** Characters XML 1.0 does not allow anywhere, not even escaped or in CDATA. */
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What the XML feeds can carry of a text: the characters XML forbids drop out. */
const xmlSafe = (text: string): string => text.replace(XML_FORBIDDEN, '');

/** The characters a document carries that make it not well-formed XML, as code points (U+0007). */
const charactersXmlForbids = (xml: string): string[] =>
  [...new Set(xml.match(XML_FORBIDDEN) ?? [])].map((char) => `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);

