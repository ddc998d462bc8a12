import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { memoryLogger } from '#libs/testing';
import { EventDispatcher } from './event-dispatcher.js';
import type { NewsroomCloudEvent, UnknownCloudEvent } from './newsroom-cloud-event.js';
import { InMemorySeenStore, type SeenStore } from './seen-store.js';
import { cloudEventMessage, correctionData, delivered, publishedData } from './testing/cloud-event-messages.js';

const articleId = randomUUID();

/** A batch of one partition, offsets from `firstOffset`. */
const batchOf = (messages: ReturnType<typeof cloudEventMessage>[], firstOffset = 0) => ({
  messages: messages.map((message, index) => delivered(message, firstOffset + index)),
});

const published = (headline: string, eventId = randomUUID()) =>
  cloudEventMessage({ type: 'newsroom.article.published.v1', data: publishedData(articleId, headline), eventId });
const corrected = (text: string, eventId = randomUUID()) =>
  cloudEventMessage({ type: 'newsroom.article.correction-issued.v1', data: correctionData(articleId, text), eventId, streamVersion: 2 });

describe('EventDispatcher', () => {
  it('hands each event to the handler of its ce_type, typed, with its attributes and origin', async () => {
    const dispatcher = new EventDispatcher({ seenStore: new InMemorySeenStore() });
    const headlines: string[] = [];
    const corrections: NewsroomCloudEvent<'newsroom.article.correction-issued.v1'>[] = [];
    dispatcher.on('newsroom.article.published.v1', (event) => void headlines.push(event.data.headline));
    dispatcher.on('newsroom.article.correction-issued.v1', (event) => void corrections.push(event));

    const correction = corrected('The call lasted an hour, not two.');
    const counts = await dispatcher.dispatch(batchOf([published('First story'), correction], 10));

    expect(counts).toEqual({ handled: 2, duplicates: 0, ignored: 0, invalid: 0 });
    expect(headlines).toEqual(['First story']);
    expect(corrections).toEqual([
      {
        id: correction.headers.ce_id,
        type: 'newsroom.article.correction-issued.v1',
        source: '/newsroom',
        subject: articleId,
        time: '2026-11-27T10:15:00.000Z',
        streamId: `article-${articleId}`,
        streamVersion: 2,
        position: 1,
        data: JSON.parse(correction.value.toString()),
        origin: { topic: 'test-topic', partition: 0, offset: '11' },
      },
    ]);
  });

  it('handles an event id once: a repeat in the same batch or a later one is skipped', async () => {
    const dispatcher = new EventDispatcher({ seenStore: new InMemorySeenStore() });
    const handled: string[] = [];
    dispatcher.on('newsroom.article.published.v1', (event) => void handled.push(event.id));
    const eventId = randomUUID();

    expect(await dispatcher.dispatch(batchOf([published('A', eventId), published('A', eventId)]))).toMatchObject({
      handled: 1,
      duplicates: 1,
    });
    expect(await dispatcher.dispatch(batchOf([published('A', eventId)], 2))).toMatchObject({ handled: 0, duplicates: 1 });
    expect(handled).toEqual([eventId]);
  });

  it('stops the batch at a failing handler; redelivered, only the failed event and those after it run again', async () => {
    const logger = memoryLogger();
    const dispatcher = new EventDispatcher({ seenStore: new InMemorySeenStore(), logger });
    const handled: string[] = [];
    let failuresLeft = 1;
    dispatcher.on('newsroom.article.published.v1', (event) => {
      if (event.data.headline === 'Second' && failuresLeft-- > 0) throw new Error('search index unavailable');
      handled.push(event.data.headline);
    });
    const batch = batchOf([published('First'), published('Second'), published('Third')]);

    await expect(dispatcher.dispatch(batch)).rejects.toThrow('search index unavailable');
    expect(handled).toEqual(['First']);
    expect(logger.lines).toEqual([expect.stringMatching(/^error Handler for newsroom.article.published.v1 failed on event .* test-topic\[0\]@1; the batch will be delivered again: search index unavailable$/)]);

    expect(await dispatcher.dispatch(batch)).toEqual({ handled: 2, duplicates: 1, ignored: 0, invalid: 0 });
    expect(handled).toEqual(['First', 'Second', 'Third']);
  });

  it('ignores contract types nobody handles, without marking them seen', async () => {
    const seenStore = new InMemorySeenStore();
    const dispatcher = new EventDispatcher({ seenStore });
    dispatcher.on('newsroom.article.published.v1', () => undefined);
    const correction = corrected('Fixed a name.');

    expect(await dispatcher.dispatch(batchOf([correction]))).toMatchObject({ handled: 0, ignored: 1 });
    expect(seenStore.has(correction.headers.ce_id)).toBe(false);
  });

  it('skips unknown ce_types, or passes them (once) to onUnknown', async () => {
    const future = { ...published('From the future'), headers: { ...published('x').headers, ce_type: 'newsroom.article.deleted.v2' } };

    const silent = new EventDispatcher({ seenStore: new InMemorySeenStore() });
    expect(await silent.dispatch(batchOf([future]))).toMatchObject({ ignored: 1 });

    const unknown: UnknownCloudEvent[] = [];
    const listening = new EventDispatcher({ seenStore: new InMemorySeenStore(), onUnknown: (event) => void unknown.push(event) });
    expect(await listening.dispatch(batchOf([future, future]))).toMatchObject({ handled: 1, duplicates: 1 });
    expect(unknown).toEqual([expect.objectContaining({ type: 'newsroom.article.deleted.v2', origin: expect.objectContaining({ offset: '0' }) })]);
  });

  it('skips messages that are not our CloudEvents and goes on with the batch', async () => {
    const notOurs = { ...published('x'), headers: { 'content-type': 'application/json' } };
    const notJson = { ...published('y'), value: '{nope' };

    const logger = memoryLogger();
    const handled: string[] = [];
    const logging = new EventDispatcher({ seenStore: new InMemorySeenStore(), logger });
    logging.on('newsroom.article.published.v1', (event) => void handled.push(event.data.headline));
    expect(await logging.dispatch(batchOf([notOurs, notJson, published('After')]))).toEqual({ handled: 1, duplicates: 0, ignored: 0, invalid: 2 });
    expect(handled).toEqual(['After']);
    expect(logger.lines).toEqual([
      expect.stringMatching(/^warn Skipped an invalid message at test-topic\[0\]@0: message has no ce_specversion header$/),
      expect.stringMatching(/@1: message value is not JSON/),
    ]);

    const invalid: string[] = [];
    const reporting = new EventDispatcher({
      seenStore: new InMemorySeenStore(),
      onInvalid: (error, origin) => void invalid.push(`${origin.offset}: ${error.message}`),
    });
    await reporting.dispatch(batchOf([notOurs]));
    expect(invalid).toEqual(['0: message has no ce_specversion header']);
  });

  it("skips events whose data does not match their ce_type's schema: handlers get only what their types promise", async () => {
    const withData = (data: unknown) => ({ ...published('x'), value: JSON.stringify(data) });
    const valid = publishedData(articleId, 'Valid');
    const nullData = withData(null);
    const extraField = withData({ ...valid, surprise: true });
    const missingField = withData({ ...valid, headline: undefined });

    const invalid: string[] = [];
    const handled: string[] = [];
    const dispatcher = new EventDispatcher({ seenStore: new InMemorySeenStore(), onInvalid: (error, origin) => void invalid.push(`${origin.offset}: ${error.message}`) });
    dispatcher.on('newsroom.article.published.v1', (event) => void handled.push(event.data.headline));
    expect(await dispatcher.dispatch(batchOf([nullData, extraField, missingField, published('After')]))).toEqual({ handled: 1, duplicates: 0, ignored: 0, invalid: 3 });
    expect(handled).toEqual(['After']);
    expect(invalid).toEqual([
      expect.stringMatching(/^0: newsroom.article.published.v1 event .* breaks the contract: data: \/ must be object/),
      expect.stringMatching(/^1: .*must NOT have additional properties \(surprise\)/),
      expect.stringMatching(/^2: .*must have required property 'headline'/),
    ]);

    // A subscriber that checks nothing itself (validatePayloads: false) gets them as they are.
    const trusting = new EventDispatcher({ seenStore: new InMemorySeenStore(), validatePayloads: false });
    trusting.on('newsroom.article.published.v1', () => undefined);
    expect(await trusting.dispatch(batchOf([nullData, extraField]))).toMatchObject({ handled: 2, invalid: 0 });
  });

  it('skips events whose headers break the contract, or whose key, ce_subject and articleId name different articles', async () => {
    const good = published('Good');
    const badId = { ...published('x'), headers: { ...published('x').headers, ce_id: 'not-a-uuid' } };
    const badTime = { ...published('x'), headers: { ...published('x').headers, ce_time: 'yesterday' } };
    const otherKey = { ...published('x'), key: randomUUID() };
    const otherSubject = { ...published('x'), headers: { ...published('x').headers, ce_subject: randomUUID() }, key: '' };
    const invalid: string[] = [];
    const handled: string[] = [];
    const dispatcher = new EventDispatcher({ seenStore: new InMemorySeenStore(), onInvalid: (error, origin) => void invalid.push(`${origin.offset}: ${error.message}`) });
    dispatcher.on('newsroom.article.published.v1', (event) => void handled.push(event.data.headline));
    otherSubject.key = otherSubject.headers.ce_subject;

    expect(await dispatcher.dispatch(batchOf([badId, badTime, otherKey, otherSubject, good]))).toMatchObject({ handled: 1, invalid: 4 });
    expect(handled).toEqual(['Good']);
    expect(invalid).toEqual([
      expect.stringMatching(/^0: .*headers: .*ce_id/),
      expect.stringMatching(/^1: .*headers: .*ce_time/),
      expect.stringMatching(/^2: .*the key .* is not ce_subject/),
      expect.stringMatching(/^3: .*data.articleId .* is not ce_subject/),
    ]);
  });

  it('marks each message done as it goes, so a failure later in the batch does not repeat it', async () => {
    const dispatcher = new EventDispatcher({ seenStore: new InMemorySeenStore() });
    dispatcher.on('newsroom.article.published.v1', (event) => {
      if (event.data.headline === 'Fails') throw new Error('downstream unavailable');
    });
    const resolved: string[] = [];
    const batch = { ...batchOf([published('First'), published('Second'), published('Fails'), published('Never')]), resolveOffset: (offset: string) => void resolved.push(offset) };

    await expect(dispatcher.dispatch(batch)).rejects.toThrow('downstream unavailable');
    expect(resolved).toEqual(['0', '1']);
  });

  it('commits what is done about every second during a long batch, so a crash repeats little', async () => {
    jest.useFakeTimers();
    try {
      const commits: string[] = [];
      let resolved = '';
      const dispatcher = new EventDispatcher({ seenStore: new InMemorySeenStore() });
      dispatcher.on('newsroom.article.published.v1', () => new Promise<void>((resolve) => setTimeout(resolve, 400)));
      const batch = {
        ...batchOf(['A', 'B', 'C', 'D', 'E', 'F'].map((headline) => published(headline))),
        resolveOffset: (offset: string) => void (resolved = offset),
        commitResolved: async () => void commits.push(resolved),
      };
      const dispatched = dispatcher.dispatch(batch);
      await jest.advanceTimersByTimeAsync(2_400);
      await dispatched;
      // 400 ms an event: done at 0.4, 0.8, 1.2 (a commit: 1 s since the start), 1.6, 2.0, 2.4 (another).
      expect(commits).toEqual(['2', '5']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps the group membership alive while a handler takes longer than the session timeout', async () => {
    jest.useFakeTimers();
    try {
      let heartbeats = 0;
      let finish!: () => void;
      const dispatcher = new EventDispatcher({ seenStore: new InMemorySeenStore() });
      dispatcher.on('newsroom.article.published.v1', () => new Promise<void>((resolve) => (finish = resolve)));
      const dispatched = dispatcher.dispatch({ ...batchOf([published('Slow')]), heartbeat: async () => void heartbeats++ });
      await jest.advanceTimersByTimeAsync(15_000);
      expect(heartbeats).toBeGreaterThanOrEqual(14);
      finish();
      await dispatched;
      const during = heartbeats;
      await jest.advanceTimersByTimeAsync(5_000);
      expect(heartbeats).toBe(during); // none once the handler is done
    } finally {
      jest.useRealTimers();
    }
  });

  it('stops when the batch goes stale (a rebalance), leaving the rest for redelivery', async () => {
    const dispatcher = new EventDispatcher({ seenStore: new InMemorySeenStore() });
    const handled: string[] = [];
    dispatcher.on('newsroom.article.published.v1', (event) => void handled.push(event.data.headline));
    let heartbeats = 0;
    const batch = {
      ...batchOf([published('First'), published('Second')]),
      isStale: () => handled.length > 0,
      heartbeat: async () => void heartbeats++,
    };

    expect(await dispatcher.dispatch(batch)).toMatchObject({ handled: 1 });
    expect(handled).toEqual(['First']);
    expect(heartbeats).toBe(1);
  });

  it('works with an asynchronous (persistent) seen store', async () => {
    const ids = new Set<string>();
    const asyncStore: SeenStore = {
      has: async (id) => ids.has(id),
      add: async (id) => void ids.add(id),
      clear: async () => ids.clear(),
    };
    const dispatcher = new EventDispatcher({ seenStore: asyncStore });
    let calls = 0;
    dispatcher.on('newsroom.article.published.v1', async () => void calls++);
    const message = published('Once');

    await dispatcher.dispatch(batchOf([message, message]));
    expect(calls).toBe(1);
    expect(ids).toEqual(new Set([message.headers.ce_id]));
  });

  it('takes one handler per contract ce_type', () => {
    const dispatcher = new EventDispatcher({ seenStore: new InMemorySeenStore() });
    dispatcher.on('newsroom.reaction.added.v1', (event) => void event.data.kind);
    expect(() => dispatcher.on('newsroom.reaction.added.v1', () => undefined)).toThrow(/already registered/);
    expect(() => dispatcher.on('newsroom.article.deleted.v1' as 'newsroom.reaction.added.v1', () => undefined)).toThrow(
      /not a ce_type of the Newsroom contract/,
    );
    expect(dispatcher.handledTypes).toEqual(['newsroom.reaction.added.v1']);
  });
});

describe('InMemorySeenStore', () => {
  it('keeps the most recent ids up to its capacity, forgetting the oldest first', () => {
    const store = new InMemorySeenStore(3);
    for (const id of ['a', 'b', 'c']) store.add(id);
    store.add('b');
    store.add('d');
    expect(['a', 'b', 'c', 'd'].map((id) => store.has(id))).toEqual([false, true, true, true]);
    expect(store.size).toBe(3);
  });

  it('forgets everything on clear(), and refuses a capacity that cannot work', () => {
    const store = new InMemorySeenStore();
    store.add('a');
    store.clear();
    expect(store.has('a')).toBe(false);
    expect(() => new InMemorySeenStore(0)).toThrow(/capacity/);
  });
});
