import {
  ACTORS,
  almightyAuthorization,
  authorizationOf,
  isIdentity,
  MORE_BAD_AUTHORIZATIONS,
  type Actor,
  type Identity,
} from '../support/security/actors.js';
import { articleIn, databaseProbe, inBatches, type DatabaseProbe, type Fixture, type FixtureState } from '../support/security/fixtures.js';
import { seedStory } from '../support/seed-story.js';
import { httpClient, startTestApp, type HttpResult, type TestApp } from '../support/test-app.js';

/**
 * The access matrix of the public contract (shared/DESIGN.md, "Identity and errors", "Staff
 * endpoints", "Public endpoints", "Operations"): every endpoint x every kind of caller, over HTTP
 * against the real service.
 *
 * - Authentication failures (no token, malformed, forged signature, expired, alg none) answer 401
 *   problem+json with `WWW-Authenticate: Bearer` on every staff route, and write nothing.
 * - A staff member the route does not allow (by role, or by authorship: submit is the authors'
 *   only, PATCH the authors' and editors') answers 403 problem+json and writes nothing.
 * - An allowed staff member gets the route's success status; state-changing cases each get a
 *   fresh article in the state the action needs, so no case depends on another.
 * - Public routes answer everyone, with or without a token, good or bad.
 *
 * The authors of a fixture article: alice drafted it, carol is assigned to it as reporter; bob is
 * a reporter with nothing to do with it.
 */

const STAFF: Identity[] = ['author', 'coAuthor', 'otherReporter', 'editor', 'factChecker', 'admin'];
const REPORTERS_AND_EDITORS: Identity[] = ['author', 'coAuthor', 'otherReporter', 'editor'];
const AUTHORS: Identity[] = ['author', 'coAuthor'];

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface Route {
  /** Method and path as the contract writes them, plus what sets this row apart. */
  name: string;
  method: Method;
  path: (article: Fixture) => string;
  body?: (article: Fixture, actor: Actor) => unknown;
  headers?: (article: Fixture, actor: Actor) => Record<string, string>;
  /** `public`: no token needed. Otherwise the identities that may call it (everyone else: 403). */
  allowed: Identity[] | 'public';
  /** What an allowed caller gets. */
  success: number;
  /** The article the route acts on, in the state where an allowed caller succeeds (null: none). */
  state: FixtureState | null;
  /** Whether success writes to the article: then every allowed case gets its own fresh article. */
  writes: boolean;
}

const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();

/** The contract, one row per endpoint (and per state where the answer depends on it). */
const ROUTES: Route[] = [
  // ---- Staff writes ----------------------------------------------------------------------------
  {
    name: 'POST /articles',
    method: 'POST',
    path: () => '/articles',
    body: () => ({ headline: seedStory.headline, body: seedStory.body, section: seedStory.section, tags: seedStory.tags }),
    allowed: REPORTERS_AND_EDITORS,
    success: 201,
    state: null,
    writes: true,
  },
  {
    name: 'PATCH /articles/:id (draft)',
    method: 'PATCH',
    path: (a) => `/articles/${a.id}`,
    body: (_, actor) => ({ body: `Revised by ${actor}.` }),
    allowed: ['author', 'coAuthor', 'editor'],
    success: 200,
    state: 'draft',
    writes: true,
  },
  {
    name: 'PATCH /articles/:id (in review)',
    method: 'PATCH',
    path: (a) => `/articles/${a.id}`,
    body: (_, actor) => ({ body: `Revised by ${actor}.` }),
    allowed: ['author', 'coAuthor', 'editor'],
    success: 200,
    state: 'in_review',
    writes: true,
  },
  {
    name: 'PATCH /articles/:id (published)',
    method: 'PATCH',
    path: (a) => `/articles/${a.id}`,
    body: (_, actor) => ({ body: `Revised by ${actor}.` }),
    allowed: ['author', 'coAuthor', 'editor'],
    success: 200,
    state: 'published',
    writes: true,
  },
  {
    name: 'POST /articles/:id/submit',
    method: 'POST',
    path: (a) => `/articles/${a.id}/submit`,
    allowed: AUTHORS,
    success: 200,
    state: 'draft',
    writes: true,
  },
  {
    name: 'POST /articles/:id/request-changes',
    method: 'POST',
    path: (a) => `/articles/${a.id}/request-changes`,
    body: () => ({ reason: 'Attribute the tariff figures.' }),
    allowed: ['editor'],
    success: 200,
    state: 'in_review',
    writes: true,
  },
  {
    name: 'POST /articles/:id/approve',
    method: 'POST',
    path: (a) => `/articles/${a.id}/approve`,
    allowed: ['editor'],
    success: 200,
    state: 'in_review',
    writes: true,
  },
  {
    name: 'POST /articles/:id/claims',
    method: 'POST',
    path: (a) => `/articles/${a.id}/claims`,
    body: () => ({ text: seedStory.claims[0].text, quote: seedStory.claims[0].quote }),
    allowed: ['author', 'coAuthor', 'otherReporter', 'editor', 'factChecker'],
    success: 201,
    state: 'draft',
    writes: true,
  },
  {
    name: 'POST /articles/:id/claims/:claimId/verdict',
    method: 'POST',
    path: (a) => `/articles/${a.id}/claims/${a.claimId}/verdict`,
    body: () => ({ rating: 'true', explanation: 'Matches both readouts.', sources: ['https://english.news.cn/'] }),
    allowed: ['factChecker'],
    success: 200,
    state: 'draft with claim',
    writes: true,
  },
  {
    name: 'POST /articles/:id/publish',
    method: 'POST',
    path: (a) => `/articles/${a.id}/publish`,
    body: () => ({}),
    allowed: ['editor'],
    success: 200,
    state: 'approved',
    writes: true,
  },
  {
    name: 'POST /articles/:id/schedule',
    method: 'POST',
    path: (a) => `/articles/${a.id}/schedule`,
    body: () => ({ publishAt: inOneDay() }),
    allowed: ['editor'],
    success: 200,
    state: 'approved',
    writes: true,
  },
  {
    name: 'POST /articles/:id/corrections',
    method: 'POST',
    path: (a) => `/articles/${a.id}/corrections`,
    body: () => ({ kind: 'correction', text: 'An earlier version misstated the length of the call.' }),
    allowed: ['editor'],
    success: 201,
    state: 'published',
    writes: true,
  },
  {
    name: 'POST /articles/:id/retract',
    method: 'POST',
    path: (a) => `/articles/${a.id}/retract`,
    body: () => ({ reason: 'The readout was disputed.' }),
    allowed: ['editor'],
    success: 200,
    state: 'published',
    writes: true,
  },
  {
    name: 'POST /articles/:id/notes',
    method: 'POST',
    path: (a) => `/articles/${a.id}/notes`,
    body: (_, actor) => ({ text: `A note from ${actor}.` }),
    allowed: STAFF,
    success: 201,
    state: 'draft',
    writes: true,
  },
  {
    name: 'POST /articles/:id/assign',
    method: 'POST',
    path: (a) => `/articles/${a.id}/assign`,
    body: () => ({ userId: 'dave', as: 'fact_checker', name: 'Dave Kim' }),
    allowed: ['editor'],
    success: 200,
    state: 'draft',
    writes: true,
  },
  // ---- Staff reads -----------------------------------------------------------------------------
  { name: 'GET /articles/:id', method: 'GET', path: (a) => `/articles/${a.id}`, allowed: STAFF, success: 200, state: 'draft', writes: false },
  {
    name: 'GET /articles/:id?version=1',
    method: 'GET',
    path: (a) => `/articles/${a.id}?version=1`,
    allowed: STAFF,
    success: 200,
    state: 'draft',
    writes: false,
  },
  {
    name: 'GET /articles/:id/history',
    method: 'GET',
    path: (a) => `/articles/${a.id}/history`,
    allowed: STAFF,
    success: 200,
    state: 'draft',
    writes: false,
  },
  {
    name: 'GET /articles/:id/diff?from=1&to=2',
    method: 'GET',
    path: (a) => `/articles/${a.id}/diff?from=1&to=2`,
    allowed: STAFF,
    success: 200,
    state: 'draft',
    writes: false,
  },
  {
    name: 'GET /board',
    method: 'GET',
    path: () => '/board?status=draft&section=security&q=fixture&limit=5',
    allowed: STAFF,
    success: 200,
    state: null,
    writes: false,
  },
  { name: 'GET /fact-checks/queue', method: 'GET', path: () => '/fact-checks/queue', allowed: ['factChecker', 'editor'], success: 200, state: null, writes: false },
  // ---- Operations (admin) ----------------------------------------------------------------------
  { name: 'GET /admin/projections', method: 'GET', path: () => '/admin/projections', allowed: ['admin'], success: 200, state: null, writes: false },
  {
    // `?wait=true` answers 200 once the rebuild is swapped in (202 without it), so no rebuild outlives its case.
    name: 'POST /admin/projections/:name/rebuild',
    method: 'POST',
    path: () => '/admin/projections/editor-board/rebuild?wait=true',
    allowed: ['admin'],
    success: 200,
    state: null,
    writes: false,
  },
  // ---- Public (no token; a token, good or bad, changes nothing) ----------------------------------
  { name: 'GET /health', method: 'GET', path: () => '/health', allowed: 'public', success: 200, state: null, writes: false },
  { name: 'GET /health/ready', method: 'GET', path: () => '/health/ready', allowed: 'public', success: 200, state: null, writes: false },
  { name: 'GET /metrics', method: 'GET', path: () => '/metrics', allowed: 'public', success: 200, state: null, writes: false },
  // The OpenAPI document; the Swagger UI at /docs needs @fastify/static, which is not loaded under jest.
  { name: 'GET /docs/openapi.json', method: 'GET', path: () => '/docs/openapi.json', allowed: 'public', success: 200, state: null, writes: false },
  { name: 'GET /feed', method: 'GET', path: () => '/feed?limit=5', allowed: 'public', success: 200, state: null, writes: false },
  { name: 'GET /feed.json', method: 'GET', path: () => '/feed.json', allowed: 'public', success: 200, state: null, writes: false },
  { name: 'GET /feed.rss', method: 'GET', path: () => '/feed.rss', allowed: 'public', success: 200, state: null, writes: false },
  { name: 'GET /feed.atom', method: 'GET', path: () => '/feed.atom', allowed: 'public', success: 200, state: null, writes: false },
  {
    name: 'GET /public/articles/:slug',
    method: 'GET',
    path: (a) => `/public/articles/${a.slug}`,
    headers: (a) => ({ 'x-min-position': String(a.position) }),
    allowed: 'public',
    success: 200,
    state: 'published',
    writes: false,
  },
  {
    name: 'GET /public/articles/:slug (text/html)',
    method: 'GET',
    path: (a) => `/public/articles/${a.slug}`,
    headers: (a) => ({ 'x-min-position': String(a.position), accept: 'text/html' }),
    allowed: 'public',
    success: 200,
    state: 'published',
    writes: false,
  },
  {
    name: 'POST /public/articles/:id/reactions',
    method: 'POST',
    path: (a) => `/public/articles/${a.id}/reactions`,
    body: () => ({ kind: 'wow' }),
    headers: (_, actor) => ({ 'x-reader-id': `matrix-reader-${actor}` }),
    allowed: 'public',
    success: 200,
    state: 'published',
    writes: false,
  },
  {
    name: 'DELETE /public/articles/:id/reactions',
    method: 'DELETE',
    path: (a) => `/public/articles/${a.id}/reactions`,
    headers: (_, actor) => ({ 'x-reader-id': `matrix-reader-${actor}` }),
    allowed: 'public',
    success: 200,
    state: 'published',
    writes: false,
  },
];

type Expectation = 'success' | 401 | 403;

function expectationOf(route: Route, actor: Actor): Expectation {
  if (route.allowed === 'public') return 'success';
  if (!isIdentity(actor)) return 401;
  return route.allowed.includes(actor) ? 'success' : 403;
}

interface Case {
  route: Route;
  actor: Actor;
  expectation: Expectation;
  /** For the test title: the status the case expects. */
  expected: number;
}

const CASES: Case[] = ROUTES.flatMap((route) =>
  ACTORS.map((actor) => {
    const expectation = expectationOf(route, actor);
    return { route, actor, expectation, expected: expectation === 'success' ? route.success : expectation };
  }),
);

/** The fresh article of a state-changing success, or the row's shared article (reads and refusals). */
const fixtureKey = (route: Route, actor: Actor | 'shared') => `${route.name} | ${actor}`;
const needsFreshArticle = (c: Case) => c.route.writes && c.route.state !== null && c.expectation === 'success';

describe('security matrix: every endpoint x every kind of caller', () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;
  let database: DatabaseProbe;
  const fixtures = new Map<string, Fixture>();

  beforeAll(async () => {
    app = await startTestApp({ workers: true, env: { PROJECTION_POLL_MS: '20' } });
    http = httpClient(app.url);
    database = databaseProbe(app.database.url);

    const wanted: [key: string, state: FixtureState][] = [];
    for (const route of ROUTES) {
      if (route.state === null) continue;
      wanted.push([fixtureKey(route, 'shared'), route.state]);
      for (const c of CASES.filter((c) => c.route === route && needsFreshArticle(c))) {
        wanted.push([fixtureKey(route, c.actor), route.state]);
      }
    }
    const made = await inBatches(wanted.map(([key, state]) => () => articleIn(http, state, key)));
    wanted.forEach(([key], index) => fixtures.set(key, made[index]));
  });
  afterAll(async () => {
    await database?.close();
    await app?.close();
  });

  const fixtureFor = (c: Case): Fixture => {
    if (c.route.state === null) return { id: '', state: 'draft', version: 0, position: 0, claimId: null, slug: null };
    const fixture = fixtures.get(fixtureKey(c.route, needsFreshArticle(c) ? c.actor : 'shared'));
    if (!fixture) throw new Error(`no fixture for ${c.route.name} as ${c.actor}`);
    return fixture;
  };

  const call = (route: Route, article: Fixture, actor: Actor, authorization: Record<string, string>): Promise<HttpResult> => {
    const body = route.body?.(article, actor);
    return http.request(route.method, route.path(article), {
      headers: { ...authorization, ...route.headers?.(article, actor) },
      ...(body === undefined ? {} : { body }),
    });
  };

  it('covers every route with every actor', () => {
    expect(CASES).toHaveLength(ROUTES.length * ACTORS.length);
    expect(new Set(ACTORS)).toEqual(
      new Set(['anonymous', 'malformed', 'forged', 'expired', 'algNone', 'author', 'coAuthor', 'otherReporter', 'editor', 'factChecker', 'admin']),
    );
  });

  it.each(CASES)('$route.name as $actor -> $expected', async (c) => {
    const article = fixtureFor(c);
    const before = await database.lastPosition();
    const response = await call(c.route, article, c.actor, authorizationOf(c.actor));

    // The status first, with the problem's detail alongside so a failure says why.
    expect({ status: response.status, detail: response.body?.detail }).toMatchObject({ status: c.expected });

    if (c.expectation !== 'success') {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: c.expected, type: expect.any(String), title: expect.any(String) });
      if (c.expectation === 401) {
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
      } else {
        expect(response.headers.get('www-authenticate')).toBeNull();
      }
      // A refused command writes nothing.
      expect(await database.lastPosition()).toBe(before);
      return;
    }

    if (c.route.writes) {
      // The write happened: it answers the article's new version and the global position of its event.
      expect(response.body).toEqual(expect.objectContaining({ id: expect.any(String), version: expect.any(Number), position: expect.any(Number) }));
      expect(response.body.position).toBeGreaterThan(before);
      if (c.route.state !== null) {
        expect(response.body.id).toBe(article.id);
        expect(response.body.version).toBe(article.version + 1);
      }
    }
  });

  describe('more malformed, tampered and invalid tokens', () => {
    /** One staff write, one staff read, the admin endpoint: all must refuse every one of them. */
    const PROBES = [
      { name: 'POST /articles/:id/approve', method: 'POST' as Method, path: (a: Fixture) => `/articles/${a.id}/approve` },
      { name: 'GET /articles/:id', method: 'GET' as Method, path: (a: Fixture) => `/articles/${a.id}` },
      { name: 'POST /admin/projections/:name/rebuild', method: 'POST' as Method, path: () => '/admin/projections/editor-board/rebuild?wait=true' },
    ];
    it('control: the claims every bad token carries (the author, with every role) are accepted when properly signed', async () => {
      const article = fixtures.get(fixtureKey(ROUTES.find((route) => route.name === 'POST /articles/:id/approve')!, 'shared'))!;
      const headers = { authorization: almightyAuthorization() };
      expect((await http.get(`/articles/${article.id}`, { headers })).status).toBe(200);
      expect((await http.get('/fact-checks/queue', { headers })).status).toBe(200);
      expect((await http.get('/admin/projections', { headers })).status).toBe(200);
    });

    const cases = Object.keys(MORE_BAD_AUTHORIZATIONS).flatMap((token) => PROBES.map((probe) => ({ token, probe })));

    it.each(cases)('$probe.name with $token -> 401', async ({ token, probe }) => {
      const article = fixtures.get(fixtureKey(ROUTES.find((route) => route.name === 'POST /articles/:id/approve')!, 'shared'))!;
      const before = await database.lastPosition();
      const response = await http.request(probe.method, probe.path(article), { headers: { authorization: MORE_BAD_AUTHORIZATIONS[token]() } });
      expect({ status: response.status, detail: response.body?.detail }).toMatchObject({ status: 401 });
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await database.lastPosition()).toBe(before);
    });
  });

  describe('authentication comes before everything else', () => {
    it('401 beats 404 (an unknown article) and 400 (an invalid body): nothing leaks to an anonymous caller', async () => {
      const unknown = await http.post('/articles/01a21ec9-1c93-73f8-be7e-c7f68e03b647/approve');
      expect(unknown.status).toBe(401);
      const invalid = await http.post('/articles', { headline: 42 });
      expect(invalid.status).toBe(401);
      const board = await http.get('/board?status=nonsense');
      expect(board.status).toBe(401);
    });

    it('403 beats 400 and 409: a role the route does not allow learns nothing about the input or the state', async () => {
      const article = fixtures.get(fixtureKey(ROUTES.find((route) => route.name === 'POST /articles/:id/approve')!, 'shared'))!;
      const asReporter = authorizationOf('otherReporter');
      expect((await http.post(`/articles/${article.id}/retract`, { reason: 42 }, { headers: asReporter })).status).toBe(403);
      expect((await http.post(`/articles/${article.id}/publish`, {}, { headers: authorizationOf('admin') })).status).toBe(403);
    });
  });
});
