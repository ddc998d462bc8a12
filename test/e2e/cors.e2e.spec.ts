import { seedStory } from '../support/seed-story.js';
import { httpClient, startTestApp, STAFF, tokenOf, type TestApp } from '../support/test-app.js';

const reporter = tokenOf(STAFF.reporter);
const editor = tokenOf(STAFF.editor);
const NEWS_SITE = 'https://news.example.com';

type Http = ReturnType<typeof httpClient>;

async function publishedStory(http: Http): Promise<string> {
  const drafted = await http.post('/articles', { headline: seedStory.headline, body: seedStory.body, section: seedStory.section }, { token: reporter });
  const id: string = drafted.body.id;
  for (const [path, token] of [['submit', reporter], ['approve', editor], ['publish', editor]] as const) {
    expect((await http.post(`/articles/${id}/${path}`, path === 'publish' ? {} : undefined, { token })).status).toBe(200);
  }
  return id;
}

const preflight = (http: Http, path: string, origin: string) =>
  http.request('OPTIONS', path, {
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-reader-id' },
  });

/**
 * A news site's pages live on another origin than the API: the reaction bar posts with
 * X-Reader-Id (a preflighted request), and pages may read the feeds. Staff endpoints stay
 * same-origin.
 */
describe('CORS on the public endpoints', () => {
  describe('with the allowed origins listed', () => {
    let app: TestApp;
    let http: Http;
    let id: string;

    beforeAll(async () => {
      app = await startTestApp({ workers: true, env: { PUBLIC_CORS_ORIGINS: `${NEWS_SITE}, https://m.example.com` } });
      http = httpClient(app.url);
      id = await publishedStory(http);
    });
    afterAll(async () => app?.close());

    it("answers a listed origin's preflight for a reaction, then lets the page read the answer", async () => {
      const answer = await preflight(http, `/public/articles/${id}/reactions`, NEWS_SITE);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(NEWS_SITE);
      expect(answer.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, DELETE');
      expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-reader-id');
      expect(answer.headers.get('access-control-max-age')).toBe('600');
      expect(answer.headers.get('vary')).toMatch(/origin/i);

      const reacted = await http.post(`/public/articles/${id}/reactions`, { kind: 'wow' }, { headers: { origin: NEWS_SITE, 'x-reader-id': 'reader-cors-0001' } });
      expect(reacted.status).toBe(200);
      expect(reacted.headers.get('access-control-allow-origin')).toBe(NEWS_SITE);
      expect(reacted.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('retry-after');
    });

    it('lets listed origins read the feeds, and tells other origins nothing', async () => {
      for (const path of ['/feed', '/feed.json', '/feed.rss', '/feed.atom']) {
        const allowed = await http.get(path, { headers: { origin: 'https://m.example.com' } });
        expect({ path, status: allowed.status, origin: allowed.headers.get('access-control-allow-origin') }).toEqual({ path, status: 200, origin: 'https://m.example.com' });
        const other = await http.get(path, { headers: { origin: 'https://elsewhere.example' } });
        expect({ path, origin: other.headers.get('access-control-allow-origin') }).toEqual({ path, origin: null });
      }
      expect((await preflight(http, `/public/articles/${id}/reactions`, 'https://elsewhere.example')).headers.get('access-control-allow-origin')).toBeNull();
    });

    it('gives staff endpoints no CORS at all', async () => {
      const answer = await http.request('OPTIONS', `/articles/${id}`, {
        headers: { origin: NEWS_SITE, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization' },
      });
      // No preflight answer: the path takes no OPTIONS (405 with what it takes), and no CORS header.
      expect([answer.status, answer.headers.get('allow')]).toEqual([405, 'GET, HEAD, PATCH']);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      const read = await http.get(`/articles/${id}`, { token: editor, headers: { origin: NEWS_SITE } });
      expect(read.status).toBe(200);
      expect(read.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('by default', () => {
    let app: TestApp;
    let http: Http;

    beforeAll(async () => {
      app = await startTestApp({ workers: true });
      http = httpClient(app.url);
    });
    afterAll(async () => app?.close());

    it('lets any origin read the public side', async () => {
      const id = await publishedStory(http);
      expect((await preflight(http, `/public/articles/${id}/reactions`, 'https://any.example')).headers.get('access-control-allow-origin')).toBe('*');
      expect((await http.get('/feed', { headers: { origin: 'https://any.example' } })).headers.get('access-control-allow-origin')).toBe('*');
    });
  });
});
