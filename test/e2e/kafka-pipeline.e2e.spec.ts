import { DataSource } from 'typeorm';
import { fromCloudEventMessage } from '#libs/kafka';
import { expectReadModelsEqualARebuild } from '../support/read-model-audit.js';
import { seedStory } from '../support/seed-story.js';
import { readTopics } from '../support/topic-reader.js';
import { httpClient, startTestApp, STAFF, tokenOf, type TestApp } from '../support/test-app.js';
import { after, TOKENS, workflow } from '../support/workflow.js';

/** The service with Kafka: the relay publishes the workflow, projections read it back from Kafka. */
describe('the service with Kafka', () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;
  const reporter = tokenOf(STAFF.reporter);
  const editor = tokenOf(STAFF.editor);
  const factChecker = tokenOf(STAFF.factChecker);

  beforeAll(async () => {
    app = await startTestApp({ kafka: true, workers: true, env: { SCHEDULER_INTERVAL_MS: '200' } });
    http = httpClient(app.url);
  });
  afterAll(async () => app?.close());

  async function publishSeedStory(): Promise<{ id: string; position: number }> {
    const drafted = await http.post('/articles', { headline: seedStory.headline, body: seedStory.body, section: 'world', tags: seedStory.tags }, { token: reporter });
    const id = drafted.body.id;
    const claim = await http.post(`/articles/${id}/claims`, seedStory.claims[1], { token: reporter });
    await http.post(`/articles/${id}/submit`, undefined, { token: reporter });
    await http.post(`/articles/${id}/approve`, undefined, { token: editor });
    await http.post(`/articles/${id}/claims/${claim.body.claimId}/verdict`, { rating: 'true', explanation: 'Confirmed.', sources: ['https://english.news.cn/'] }, { token: factChecker });
    const published = await http.post(`/articles/${id}/publish`, {}, { token: editor });
    expect(published.status).toBe(200);
    return { id, position: published.body.position };
  }

  it('publishes every event of the workflow to the article topic, in order per article', async () => {
    const { id } = await publishSeedStory();
    const messages = await readTopics([app.topics.articles], (all) =>
      all.some((message) => message.headers.ce_subject === id && message.headers.ce_type === 'newsroom.article.published.v1'),
    );
    const ofArticle = messages.filter((message) => message.key?.toString() === id).map((message) => fromCloudEventMessage(message));
    expect(ofArticle.map((event) => event.type)).toEqual([
      'newsroom.article.drafted.v1',
      'newsroom.claim.added.v1',
      'newsroom.article.submitted.v1',
      'newsroom.article.approved.v1',
      'newsroom.claim.fact-checked.v1',
      'newsroom.article.published.v1',
    ]);
    expect(ofArticle.map((event) => event.streamVersion)).toEqual([1, 2, 3, 4, 5, 6]);
    const positions = ofArticle.map((event) => event.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(ofArticle.every((event) => event.subject === id && !Number.isNaN(Date.parse(event.time)))).toBe(true);
    expect(new Set(ofArticle.map((event) => event.streamId))).toEqual(new Set([`article-${id}`]));
    expect(ofArticle.every((event) => event.source === '/newsroom' && event.data && (event.data as { articleId: string }).articleId === id)).toBe(true);
  });

  it('feeds the projections from Kafka: the board and the feed show the story, read-your-writes', async () => {
    const { id, position } = await publishSeedStory();
    const board = await http.get(`/board?limit=100`, { token: editor, headers: { 'x-min-position': String(position) } });
    expect(board.status).toBe(200);
    expect(board.headers.get('x-min-position-reached')).toBe('true');
    expect(board.body.items.find((item: { id: string }) => item.id === id)).toMatchObject({ status: 'published', version: 6 });

    const feed = await http.get('/feed', { headers: { 'x-min-position': String(position) } });
    expect(feed.headers.get('x-min-position-reached')).toBe('true');
    expect(feed.body.items.find((item: { id: string }) => item.id === id)).toMatchObject({ headline: seedStory.headline });
  });

  it('runs the scheduler with Kafka configured (its projection reads the store)', async () => {
    const drafted = await http.post('/articles', { headline: 'Scheduled via Kafka', body: 'Body.', section: 'world' }, { token: reporter });
    const id = drafted.body.id;
    await http.post(`/articles/${id}/submit`, undefined, { token: reporter });
    await http.post(`/articles/${id}/approve`, undefined, { token: editor });
    const scheduled = await http.post(`/articles/${id}/schedule`, { publishAt: new Date(Date.now() + 3000).toISOString() }, { token: editor });
    expect(scheduled.status).toBe(200);
    const deadline = Date.now() + 20_000;
    let status = '';
    while (Date.now() < deadline && status !== 'published') {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await http.get(`/articles/${id}`, { token: editor })).body.status;
    }
    expect(status).toBe('published');
  });

  it('after rebuilds of the board and the feed swap their tables in, the Kafka consumers carry on applying to them', async () => {
    const steps = workflow(http);
    const dataSource = await new DataSource({ type: 'postgres', url: app.database.url }).initialize();
    try {
      const before = await steps.publishedStory({ headline: 'Published before the rebuild' });
      // Its stream is in the rebuilt tables; the rest of its workflow comes after the swap.
      const halfway = await steps.draft({ headline: 'Submitted before the rebuild, published after' });
      const submitted = await steps.submit(halfway.id);
      const board = await http.get('/board?limit=100', { token: editor, ...after(submitted) });
      expect(board.headers.get('x-min-position-reached')).toBe('true');
      expect(board.body.items.find((item: { id: string }) => item.id === halfway.id)).toMatchObject({ status: 'in_review', version: submitted.version });
      const feed = await http.get('/feed', after(before.last));
      expect(feed.headers.get('x-min-position-reached')).toBe('true');
      expect(feed.body.items.map((item: { id: string }) => item.id)).toContain(before.id);

      for (const name of ['editor-board', 'public-feed']) {
        const rebuilt = await http.post(`/admin/projections/${name}/rebuild?wait=true`, undefined, { token: TOKENS.admin });
        expect([rebuilt.status, rebuilt.body.projection, rebuilt.body.parked]).toEqual([200, name, 0]);
      }

      await steps.approve(halfway.id);
      const halfwayPublished = await steps.publish(halfway.id);
      const { id: draftedId } = await steps.draft({ headline: 'Written after the rebuild' });
      await steps.submit(draftedId);
      await steps.approve(draftedId);
      const last = await steps.publish(draftedId);
      expect(last.position).toBeGreaterThan(halfwayPublished.position);

      const boardAfter = await http.get('/board?limit=100', { token: editor, ...after(last) });
      expect(boardAfter.status).toBe(200);
      expect(boardAfter.headers.get('x-min-position-reached')).toBe('true');
      const onBoard = new Map(boardAfter.body.items.map((item: { id: string; status: string; version: number }) => [item.id, item]));
      expect(onBoard.get(halfway.id)).toMatchObject({ status: 'published', version: halfwayPublished.version });
      expect(onBoard.get(draftedId)).toMatchObject({ status: 'published', version: last.version });
      expect(onBoard.get(before.id)).toMatchObject({ status: 'published', version: before.last.version });

      const feedAfter = await http.get('/feed', after(last));
      expect(feedAfter.status).toBe(200);
      expect(feedAfter.headers.get('x-min-position-reached')).toBe('true');
      expect(feedAfter.body.items.map((item: { id: string }) => item.id)).toEqual(expect.arrayContaining([halfway.id, draftedId, before.id]));

      const ready = await http.get('/health/ready');
      expect(ready.body.details.projections.parked).toEqual([]);
      for (const name of ['editor-board', 'public-feed']) {
        expect(ready.body.details.projections.projections[name]).toMatchObject({ parkedEvents: 0, rebuilding: false });
      }
      await expectReadModelsEqualARebuild(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }, 150_000);
});
