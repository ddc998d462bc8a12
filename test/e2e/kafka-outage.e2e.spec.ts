import { DataSource } from 'typeorm';
import { createTestDatabase, KafkaBroker, type TestDatabase } from '#libs/testing';
import { ApiProcess } from '../support/api-process.js';
import {
  acknowledged,
  eventsMissingOnKafka,
  missingWrites,
  newsroomLoad,
  publishedStories,
  serviceWithKafka,
} from '../support/faults.js';
import { expectReadModelsEqualARebuild } from '../support/read-model-audit.js';
import { httpClient } from '../support/test-app.js';
import { TOKENS, workflow } from '../support/workflow.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fault: the Kafka broker dies (SIGKILL) while staff write and readers react, stays down, and
 * comes back. Writes never wait for Kafka, so every one of them must succeed throughout; once the
 * broker is back, the relay publishes everything and the Kafka-fed projections catch up, leaving
 * every read model equal to a full rebuild. A story scheduled while the broker is down goes out at
 * its time all the same. A broker of its own, so other specs go on undisturbed.
 */
describe('the Kafka broker dying under load and coming back', () => {
  let broker: KafkaBroker;
  let database: TestDatabase;
  let dataSource: DataSource;
  let api: ApiProcess;
  let topics: { articles: string; reactions: string };

  beforeAll(async () => {
    [broker, database] = await Promise.all([KafkaBroker.start(), createTestDatabase()]);
    const service = serviceWithKafka(database.url, broker.brokers);
    topics = service.topics;
    api = await ApiProcess.start(service.env, ['--with-workers']);
    dataSource = await new DataSource({ type: 'postgres', url: database.url }).initialize();
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await dataSource?.destroy();
    await Promise.all([broker?.destroy(), database?.drop()]);
  }, 60_000);

  it('takes every write while it is down, publishes scheduled stories on time, then publishes every event and counts nothing twice', async () => {
    const http = httpClient(api.url);
    const stories = await publishedStories(http, 3);
    const steps = workflow(http);
    const { id: scheduledId } = await steps.draft({ headline: 'Scheduled during the outage' });
    await steps.submit(scheduledId);
    await steps.approve(scheduledId);

    let stopLoad = false;
    const loading = newsroomLoad(http, stories, () => stopLoad);
    await sleep(1500);
    await broker.kill();
    const downAt = Date.now();
    // Readiness reuses a Kafka probe for READY_KAFKA_CACHE_MS (5 s), so it may take that long to see.
    let readyWhileDown = await http.get('/health/ready');
    while (readyWhileDown.status === 200 && Date.now() - downAt < 15_000) {
      await sleep(250);
      readyWhileDown = await http.get('/health/ready');
    }
    // The scheduler reads the store, not Kafka: a story scheduled now goes out while Kafka is still down.
    const publishAt = Date.now() + 2000;
    const scheduled = await http.post(`/articles/${scheduledId}/schedule`, { publishAt: new Date(publishAt).toISOString() }, { token: TOKENS.editor });
    expect(scheduled.status).toBe(200);
    let scheduledStatus = '';
    while (scheduledStatus !== 'published' && Date.now() < publishAt + 20_000) {
      await sleep(250);
      scheduledStatus = (await http.get(`/articles/${scheduledId}`, { token: TOKENS.editor })).body.status;
    }
    const scheduledDoneAt = Date.now();
    await sleep(Math.max(0, downAt + 4000 - Date.now()));
    await broker.restart();
    const upAt = Date.now();
    await sleep(2000);
    stopLoad = true;
    const outcomes = await loading;

    // Kafka is not on the write path: nothing refused, nothing failed, while it was down too.
    expect(outcomes.filter((outcome) => outcome.status >= 300)).toEqual([]);
    const written = acknowledged(outcomes);
    expect(written.filter((outcome) => outcome.at > downAt && outcome.at < upAt).length).toBeGreaterThan(50);
    expect(readyWhileDown.status).toBe(503);
    expect({ scheduledStatus, beforeKafkaCameBack: scheduledDoneAt < upAt }).toEqual({ scheduledStatus: 'published', beforeKafkaCameBack: true });

    expect(await missingWrites(dataSource, written)).toEqual([]);
    expect(await eventsMissingOnKafka(dataSource, topics, broker.brokers)).toEqual({ articles: [], reactions: [] });
    await expectReadModelsEqualARebuild(dataSource);
    expect((await http.get('/health/ready')).status).toBe(200);
  }, 240_000);
});
