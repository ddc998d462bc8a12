import { DataSource } from 'typeorm';
import { until } from '#libs/testing';
import { expectReadModelsEqualARebuild, unappliedEvents } from '../support/read-model-audit.js';
import { seedStory } from '../support/seed-story.js';
import { httpClient, startTestApp, STAFF, tokenOf, type TestApp } from '../support/test-app.js';
import { WorkerProcess } from '../support/worker-process.js';

/**
 * Fault: the worker (relay + Kafka-fed projections + scheduler) is SIGKILLed while it applies
 * batches and is started again. Nothing may be lost or counted twice: every read model must equal
 * a full rebuild from the event store.
 */
describe('a worker killed in the middle of a batch', () => {
  let api: TestApp;
  let dataSource: DataSource;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // The API only writes; the projections are fed by the worker processes below.
    api = await startTestApp({ kafka: true, workers: false });
    dataSource = api.app.get(DataSource);
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await api?.close();
  });

  const startWorker = () => {
    const worker = WorkerProcess.start({ ...api.env, RELAY_BATCH_SIZE: '50', PROJECTION_BATCH_SIZE: '50' });
    workers.push(worker);
    return worker;
  };

  async function writeWorkflows(http: ReturnType<typeof httpClient>, count: number): Promise<void> {
    const reporter = tokenOf(STAFF.reporter);
    const editor = tokenOf(STAFF.editor);
    const factChecker = tokenOf(STAFF.factChecker);
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const drafted = await http.post('/articles', { headline: `${seedStory.headline} #${i}`, body: seedStory.body, section: i % 2 ? 'world' : 'politics', tags: seedStory.tags }, { token: reporter });
        const id = drafted.body.id;
        const claim = await http.post(`/articles/${id}/claims`, seedStory.claims[i % seedStory.claims.length], { token: reporter });
        await http.post(`/articles/${id}/submit`, undefined, { token: reporter });
        await http.post(`/articles/${id}/approve`, undefined, { token: editor });
        await http.post(`/articles/${id}/claims/${claim.body.claimId}/verdict`, { rating: 'mostly_true', explanation: 'Checked.', sources: ['https://english.news.cn/'] }, { token: factChecker });
        await http.post(`/articles/${id}/publish`, {}, { token: editor });
        if (i % 3 === 0) await http.post(`/articles/${id}/corrections`, { kind: 'clarification', text: 'Clarified.' }, { token: editor });
        if (i % 5 === 0) await http.post(`/articles/${id}/retract`, { reason: 'Withdrawn.' }, { token: editor });
      }),
    );
  }

  it('leaves every read model equal to a full rebuild', async () => {
    const http = httpClient(api.url);
    await writeWorkflows(http, 30);

    const first = startWorker();
    // Keep writing while the worker works, and kill it while it is busy.
    const writing = writeWorkflows(http, 40);
    await until(
      'the worker to apply over 200 events',
      () => dataSource.query('SELECT coalesce(sum(events_applied), 0)::int AS applied FROM projection_checkpoints'),
      ([{ applied }]) => applied > 200,
      30_000,
      50,
    );
    // Then kill it the moment one of its projection transactions is open (its last statement
    // touched a projection's stream versions): that batch must roll back and come again.
    await until(
      'a projection batch in flight',
      () =>
        dataSource.query(`SELECT count(*)::int AS open FROM pg_stat_activity
                           WHERE datname = current_database() AND xact_start IS NOT NULL AND query ~ '_streams' AND pid <> pg_backend_pid()`),
      ([{ open }]) => open > 0,
      30_000,
      1,
    );
    await first.kill();
    const pendingAtKill = await unappliedEvents(dataSource);
    expect(Object.values(pendingAtKill).some((n) => n > 0)).toBe(true);
    await writing;

    startWorker();
    await expectReadModelsEqualARebuild(dataSource);
  });
});
