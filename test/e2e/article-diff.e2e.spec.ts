import { TOKENS, workflow } from '../support/workflow.js';
import { httpClient, startTestApp, type TestApp } from '../support/test-app.js';

/** GET /articles/:id/diff over HTTP: folded from the stream, so no projection is involved. */
describe('article diff', () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;
  let id: string;

  beforeAll(async () => {
    app = await startTestApp();
    http = httpClient(app.url);
    const steps = workflow(http);
    id = (await steps.draft({ headline: 'Xi presses Trump on Taiwan', body: 'The call lasted an hour.\n\nBoth plan visits.' })).id; // v1
    await steps.revise(id, { headline: 'Xi presses Trump on Taiwan and trade', standfirst: 'A rare call.' }); // v2
    await steps.revise(id, { body: 'The call lasted 45 minutes.\n\nBoth plan visits.' }); // v3
    await steps.note(id); // v4
  });
  afterAll(async () => app?.close());

  const diff = (query: string, token = TOKENS.reporter) => http.get(`/articles/${id}/diff${query}`, { token });
  const spell = (changes: { value: string; added?: boolean; removed?: boolean }[], side: 'older' | 'newer') =>
    changes.filter((change) => (side === 'older' ? !change.added : !change.removed)).map((change) => change.value).join('');

  it('answers what changed in headline, standfirst and body between two versions', async () => {
    const response = await diff('?from=1&to=3');
    expect(response.status).toBe(200);
    const { changes } = response.body;
    expect(response.body).toMatchObject({ id, from: 1, to: 3 });
    expect(response.headers.get('etag')).toBe('"3"');
    expect(changes.headline).toEqual([{ value: 'Xi presses Trump on Taiwan' }, { value: ' and trade', added: true }]);
    expect(changes.standfirst).toEqual([{ value: 'A rare call.', added: true }]);
    expect(spell(changes.body, 'older')).toBe('The call lasted an hour.\n\nBoth plan visits.');
    expect(spell(changes.body, 'newer')).toBe('The call lasted 45 minutes.\n\nBoth plan visits.');
    expect(changes.body).toContainEqual({ value: 'minutes', added: true });
  });

  it('answers null for fields that did not change, and diffs up to the current version without `to`', async () => {
    expect((await diff('?from=2&to=3')).body.changes).toMatchObject({ headline: null, standfirst: null });
    const toCurrent = await diff('?from=3');
    expect(toCurrent.body).toEqual({ id, from: 3, to: 4, changes: { headline: null, standfirst: null, body: null } });
    expect(toCurrent.headers.get('etag')).toBe('"4"');
  });

  it('answers no changes, in the same shape, when from equals to or the current version', async () => {
    const unchanged = { headline: null, standfirst: null, body: null };
    const same = await diff('?from=2&to=2');
    expect([same.status, same.body]).toEqual([200, { id, from: 2, to: 2, changes: unchanged }]);
    const current = await diff('?from=4');
    expect([current.status, current.body]).toEqual([200, { id, from: 4, to: 4, changes: unchanged }]);
  });

  describe('refuses', () => {
    it.each([
      ['', 'from'],
      ['?from=0', 'from'],
      ['?from=one', 'from'],
      ['?from=1.5', 'from'],
      ['?from=1&to=-2', 'to'],
      ['?from=3&to=2', 'from'],
      ['?from=1&granularity=chars', 'granularity'],
    ])('400 for %s, naming the field', async (query, field) => {
      const response = await diff(query);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });

    it('400 listing every problem at once, the order of from and to among them', async () => {
      const response = await diff('?from=3&to=2&zzz=1');
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['from', 'zzz']);
    });

    it('404 for versions the article never had, unknown and malformed ids', async () => {
      expect((await diff('?from=1&to=99')).status).toBe(404);
      expect((await diff('?from=9')).status).toBe(404);
      expect((await http.get('/articles/01a21ec9-1c93-73f8-be7e-c7f68e03b647/diff?from=1', { token: TOKENS.editor })).status).toBe(404);
      expect((await http.get('/articles/nope/diff?from=1', { token: TOKENS.editor })).status).toBe(404);
    });

    it('401 without a token', async () => {
      expect((await http.get(`/articles/${id}/diff?from=1`)).status).toBe(401);
    });
  });
});
