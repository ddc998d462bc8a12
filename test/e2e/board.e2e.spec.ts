import { after, TOKENS, workflow, type Write } from '../support/workflow.js';
import { httpClient, startTestApp, type TestApp } from '../support/test-app.js';

/** GET /board over HTTP, with the projections running in the app (read-your-writes via X-Min-Position). */
describe('editor board', () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;
  let steps: ReturnType<typeof workflow>;
  const ids: Record<'taiwan' | 'tariffs' | 'markets', string> = { taiwan: '', tariffs: '', markets: '' };
  let last: Write;

  const board = (query = '', token = TOKENS.editor) => http.get(`/board${query}`, { token, ...after(last) });

  beforeAll(async () => {
    app = await startTestApp({ workers: true, env: { PROJECTION_POLL_MS: '20' } });
    http = httpClient(app.url);
    steps = workflow(http);

    ids.taiwan = (await steps.draft({ headline: 'Xi presses Trump on Taiwan', section: 'world', tags: ['china'] })).id;
    const first = await steps.claim(ids.taiwan, 'The call lasted one hour.');
    await steps.claim(ids.taiwan, 'Trump visits Beijing in April.');
    await steps.verdict(ids.taiwan, first.claimId, 'false');
    await steps.assign(ids.taiwan, 'farid', 'fact_checker', 'Farid Haddad');

    ids.tariffs = (await steps.draft({ headline: 'Tariffs of 50% under_review', section: 'business' })).id;
    await steps.submit(ids.tariffs);
    await steps.assign(ids.tariffs, 'bob', 'reporter', 'Bob Osei');

    ids.markets = (await steps.publishedStory({ headline: 'Markets rally', section: 'world' })).id;
    last = await steps.note(ids.markets);
  });
  afterAll(async () => app?.close());

  it('lists every article, most recently changed first, once the projection has the last write', async () => {
    const response = await board();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-min-position-reached')).toBe('true');
    expect(response.body.items.map((item: { id: string }) => item.id)).toEqual([ids.markets, ids.tariffs, ids.taiwan]);
    expect(response.body.nextCursor).toBeNull();
  });

  it('answers the row fields: status, claim counts, assignees, times and version', async () => {
    const { body } = await board();
    const taiwan = body.items.find((item: { id: string }) => item.id === ids.taiwan);
    expect(taiwan).toEqual({
      id: ids.taiwan,
      headline: 'Xi presses Trump on Taiwan',
      section: 'world',
      tags: ['china'],
      status: 'draft',
      authors: [{ id: 'alice', name: 'Alice Chen' }],
      assignees: [{ id: 'farid', name: 'Farid Haddad', as: 'fact_checker' }],
      claims: { total: 2, pending: 1, flagged: 1 },
      publishAt: null,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      version: 5,
    });
    const article = await http.get(`/articles/${ids.taiwan}`, { token: TOKENS.editor });
    expect(taiwan.updatedAt).toBe(article.body.updatedAt);
    expect(taiwan.createdAt).toBe(article.body.createdAt);
  });

  it.each([
    ['?status=in_review', ['tariffs']],
    ['?status=published', ['markets']],
    ['?section=world', ['markets', 'taiwan']],
    ['?assignee=farid', ['taiwan']],
    ['?assignee=bob', ['tariffs']],
    ['?assignee=nobody', []],
    ['?q=TAIWAN', ['taiwan']],
    ['?q=50%25', ['tariffs']],
    // LIKE wildcards are searched for as text: "%" and "_" match only headlines that contain them.
    ['?q=%25', ['tariffs']],
    ['?q=_', ['tariffs']],
    ['?status=draft&section=world&q=trump', ['taiwan']],
    // The contract's template with some parameters left empty: those filter nothing.
    ['?status=&section=world&assignee=&q=&limit=&cursor=', ['markets', 'taiwan']],
  ] as const)('filters %s', async (query, expected) => {
    const response = await board(query);
    expect(response.status).toBe(200);
    expect(response.body.items.map((item: { id: string }) => item.id)).toEqual(expected.map((name) => ids[name]));
  });

  it('pages with an opaque cursor on (updatedAt desc, id), and a change moves an article to the top', async () => {
    const section = 'pagination';
    const drafted: string[] = [];
    for (let i = 0; i < 5; i++) {
      last = await steps.draft({ headline: `Story ${i}`, section });
      drafted.push(last.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    const pages: number[] = [];
    do {
      const query: string = `?section=${section}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await board(query);
      expect(response.status).toBe(200);
      pages.push(response.body.items.length);
      seen.push(...response.body.items.map((item: { id: string }) => item.id));
      cursor = response.body.nextCursor;
    } while (cursor !== null);
    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual([...drafted].reverse());

    last = await steps.note(drafted[0]);
    const top = await board(`?section=${section}&limit=1`);
    expect(top.body.items.map((item: { id: string }) => item.id)).toEqual([drafted[0]]);
  });

  it('is open to every staff role', async () => {
    for (const token of [TOKENS.reporter, TOKENS.factChecker, TOKENS.admin]) {
      expect((await board('', token)).status).toBe(200);
    }
  });

  it('answers the same after a rebuild of the projection from the event store', async () => {
    const before = await board('?limit=100');
    const rebuild = await http.post('/admin/projections/editor-board/rebuild?wait=true', undefined, { token: TOKENS.admin });
    expect(rebuild.status).toBe(200);
    expect((await board('?limit=100')).body).toEqual(before.body);
  });

  describe('refuses bad requests', () => {
    it('401 without a token', async () => {
      const response = await http.get('/board');
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });

    it.each([
      ['?status=published_maybe', 'status'],
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=ten', 'limit'],
      ['?limit=1e1', 'limit'],
      ['?cursor=not-a-cursor', 'cursor'],
      ['?q=%20%20', 'q'],
      ['?q=' + 'x'.repeat(201), 'q'],
      ['?colour=red', 'colour'],
      ['?status=draft&status=approved', 'status'],
    ])('400 for %s, naming the field', async (query, field) => {
      const response = await http.get(`/board${query}`, { token: TOKENS.editor });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('400 listing every invalid parameter at once, the cursor among them', async () => {
      const response = await http.get('/board?limit=1&cursor=bad&status=nope&colour=red', { token: TOKENS.editor });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['colour', 'cursor', 'status']);
    });

    it('400 for a malformed X-Min-Position', async () => {
      const response = await http.get('/board', { token: TOKENS.editor, headers: { 'x-min-position': 'soon' } });
      expect(response.status).toBe(400);
    });
  });

  // Last: it adds articles the listings above do not expect.
  it('finds names sent with surrounding spaces (they are trimmed), and drops a schedule once published', async () => {
    const section = `desk-${Date.now()}`;
    const { id } = await steps.draft({ headline: '  Padded headline ', section: ` ${section} `, tags: [' bridge '] });
    await steps.assign(id, ' dave ', 'reporter', ' Dave Smith ');
    await steps.submit(id);
    await steps.approve(id);
    const publishAt = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await http.post(`/articles/${id}/schedule`, { publishAt }, { token: TOKENS.editor });
    const row = async (position: number) =>
      (await http.get(`/board?section=${section}&assignee=dave`, { token: TOKENS.editor, ...after({ position }) })).body.items;
    expect(await row(scheduled.body.position)).toEqual([
      expect.objectContaining({ id, headline: 'Padded headline', section, tags: ['bridge'], status: 'scheduled', publishAt }),
    ]);
    expect((await row(scheduled.body.position))[0].assignees).toEqual([{ id: 'dave', name: 'Dave Smith', as: 'reporter' }]);

    // Published early by an editor: no schedule is pending any more.
    const published = await steps.publish(id);
    expect(await row(published.position)).toEqual([expect.objectContaining({ id, status: 'published', publishAt: null })]);
  });
});
