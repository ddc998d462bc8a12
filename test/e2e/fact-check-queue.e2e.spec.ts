import { after, TOKENS, workflow, type Write } from '../support/workflow.js';
import { httpClient, startTestApp, type TestApp } from '../support/test-app.js';

interface QueueItem {
  articleId: string;
  headline: string;
  articleStatus: string;
  claimId: string;
  text: string;
}

/** GET /fact-checks/queue over HTTP, with the projections running in the app. */
describe('fact-check queue', () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;
  let steps: ReturnType<typeof workflow>;

  beforeAll(async () => {
    app = await startTestApp({ workers: true, env: { PROJECTION_POLL_MS: '20' } });
    http = httpClient(app.url);
    steps = workflow(http);
  });
  afterAll(async () => app?.close());

  const queue = async (write: Write, query = '', token = TOKENS.factChecker) => {
    const response = await http.get(`/fact-checks/queue${query}`, { token, ...after(write) });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-min-position-reached')).toBe('true');
    return response.body as { items: QueueItem[]; nextCursor: string | null };
  };
  const texts = (page: { items: QueueItem[] }) => page.items.map((item) => item.text);

  it('lists claims without a verdict oldest first, and drops them on a verdict or a retraction', async () => {
    const taiwan = (await steps.draft({ headline: 'Xi presses Trump on Taiwan' })).id;
    const tariffs = (await steps.draft({ headline: 'Tariffs under review' })).id;
    const one = await steps.claim(taiwan, 'One: the call lasted one hour.', 'The one-hour call');
    const two = await steps.claim(taiwan, 'Two: Trump visits in April.');
    const three = await steps.claim(tariffs, 'Three: tariffs average just under 50%.');
    let last: Write = await steps.claim(taiwan, 'Four: the leaders met in Busan.');

    const full = await queue(last);
    expect(texts(full)).toEqual([
      'One: the call lasted one hour.',
      'Two: Trump visits in April.',
      'Three: tariffs average just under 50%.',
      'Four: the leaders met in Busan.',
    ]);
    expect(full.items[0]).toEqual({
      articleId: taiwan,
      headline: 'Xi presses Trump on Taiwan',
      articleStatus: 'draft',
      claimId: one.claimId,
      text: 'One: the call lasted one hour.',
      quote: 'The one-hour call',
      addedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      addedBy: { id: 'alice', name: 'Alice Chen' },
    });
    expect(full.nextCursor).toBeNull();

    // A verdict (of any rating) takes the claim out; the headline stays current.
    await steps.verdict(taiwan, two.claimId, 'false');
    last = await steps.revise(taiwan, { headline: 'Xi presses Trump on Taiwan and trade' });
    const checked = await queue(last);
    expect(texts(checked)).toEqual(['One: the call lasted one hour.', 'Three: tariffs average just under 50%.', 'Four: the leaders met in Busan.']);
    expect(checked.items.filter((item) => item.articleId === taiwan).map((item) => item.headline)).toEqual(
      Array(2).fill('Xi presses Trump on Taiwan and trade'),
    );

    // Paged by an opaque cursor in the same order.
    const firstPage = await queue(last, '?limit=2');
    expect(texts(firstPage)).toEqual(['One: the call lasted one hour.', 'Three: tariffs average just under 50%.']);
    const secondPage = await queue(last, `?limit=2&cursor=${firstPage.nextCursor}`);
    expect(texts(secondPage)).toEqual(['Four: the leaders met in Busan.']);
    expect(secondPage.nextCursor).toBeNull();

    // Published past the gate with a claim still unrated: it stays queued, then a retraction removes it.
    await steps.submit(tariffs);
    await steps.approve(tariffs);
    last = await steps.publish(tariffs, 'Breaking; the rating follows.');
    expect((await queue(last)).items.find((item) => item.claimId === three.claimId)).toMatchObject({ articleStatus: 'published' });
    last = await steps.retract(tariffs, 'The tariff figures were wrong.');
    expect(texts(await queue(last, '', TOKENS.editor))).toEqual(['One: the call lasted one hour.', 'Four: the leaders met in Busan.']);
  });

  it('answers the same after a rebuild of the projection from the event store', async () => {
    const { id } = await steps.draft({ headline: 'Rebuilt' });
    const last = await steps.claim(id, 'A claim that survives the rebuild.');
    const before = await queue(last);
    const rebuild = await http.post('/admin/projections/fact-check-queue/rebuild?wait=true', undefined, { token: TOKENS.admin });
    expect(rebuild.status).toBe(200);
    expect(await queue(last)).toEqual(before);
    expect(texts(before)).toContain('A claim that survives the rebuild.');
  });

  describe('refuses', () => {
    it('401 without a token, 403 for roles other than fact_checker and editor', async () => {
      expect((await http.get('/fact-checks/queue')).status).toBe(401);
      for (const token of [TOKENS.reporter, TOKENS.admin]) {
        const response = await http.get('/fact-checks/queue', { token });
        expect(response.status).toBe(403);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    });

    it.each([
      ['?limit=0', 'limit'],
      ['?limit=500', 'limit'],
      ['?cursor=' + Buffer.from('["yesterday","x","y"]').toString('base64url'), 'cursor'],
      ['?status=draft', 'status'],
    ])('400 for %s, naming the field', async (query, field) => {
      const response = await http.get(`/fact-checks/queue${query}`, { token: TOKENS.factChecker });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
    });
  });
});
