import Parser from 'rss-parser';
import { DataSource } from 'typeorm';
import { REACTION_KINDS, zeroReactionCounts, type ReactionCounts, type ReactionKind } from '#libs/contracts';
import { EventStore } from '#libs/event-store';
import { LogFedProjection } from '#libs/projections';
import { reactionCountsProjection } from '../../src/reactions/reaction-counts.projection.js';
import { seedStory } from '../support/seed-story.js';
import { httpClient, startTestApp, STAFF, tokenOf, type HttpResult, type TestApp } from '../support/test-app.js';

const reporter = tokenOf(STAFF.reporter);
const editor = tokenOf(STAFF.editor);

type Http = ReturnType<typeof httpClient>;

/** Drafted, submitted, approved and (unless told otherwise) published over HTTP; returns its id. */
async function storyOf(http: Http, upTo: 'draft' | 'approved' | 'published' | 'retracted' = 'published'): Promise<string> {
  const drafted = await http.post('/articles', { headline: seedStory.headline, body: seedStory.body, section: seedStory.section }, { token: reporter });
  expect(drafted.status).toBe(201);
  const id: string = drafted.body.id;
  if (upTo === 'draft') return id;
  expect((await http.post(`/articles/${id}/submit`, undefined, { token: reporter })).status).toBe(200);
  expect((await http.post(`/articles/${id}/approve`, undefined, { token: editor })).status).toBe(200);
  if (upTo === 'approved') return id;
  expect((await http.post(`/articles/${id}/publish`, {}, { token: editor })).status).toBe(200);
  if (upTo === 'published') return id;
  await retract(http, id);
  return id;
}

async function retract(http: Http, id: string): Promise<void> {
  expect((await http.post(`/articles/${id}/retract`, { reason: 'The readout was disputed.' }, { token: editor })).status).toBe(200);
}

const reactionsOf = (http: Http) => ({
  react: (id: string, readerId: string, kind: string, headers: Record<string, string> = {}) =>
    http.post(`/public/articles/${id}/reactions`, { kind }, { headers: { 'x-reader-id': readerId, ...headers } }),
  remove: (id: string, readerId: string, headers: Record<string, string> = {}) =>
    http.delete(`/public/articles/${id}/reactions`, { headers: { 'x-reader-id': readerId, ...headers } }),
});

const countsWith = (counts: Partial<ReactionCounts>): ReactionCounts => ({ ...zeroReactionCounts(), ...counts });

const readerId = (n: number | string) => `reader-${String(n).padStart(6, '0')}`;

/** Events of the reaction streams of an article, straight from the store. */
const reactionEventsOf = (app: TestApp, articleId: string) =>
  app.app.get(DataSource).query(
    `SELECT stream_id, stream_version, type, data, metadata FROM events
      WHERE stream_type = 'reaction' AND data->>'articleId' = $1 ORDER BY position`,
    [articleId],
  );

/** Waits until the counts projection has applied every reaction event of the article; its row then. */
async function projectedCounts(app: TestApp, articleId: string, timeoutMs = 15_000): Promise<ReactionCounts> {
  const dataSource = app.app.get(DataSource);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ behind }] = await dataSource.query(
      `SELECT count(*)::int AS behind FROM events e
        WHERE e.stream_type = 'reaction' AND e.data->>'articleId' = $1
          AND NOT EXISTS (SELECT 1 FROM reaction_counts_streams s WHERE s.stream_id = e.stream_id AND s.version >= e.stream_version)`,
      [articleId],
    );
    if (behind === 0) break;
    if (Date.now() > deadline) throw new Error(`the reaction-counts projection is ${behind} events behind on ${articleId}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const [row] = await dataSource.query(
    `SELECT "like", dislike, love, funny, angry, sad, wow FROM reaction_counts WHERE article_id = $1`,
    [articleId],
  );
  return row ?? zeroReactionCounts();
}

function expectProblem(response: HttpResult, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status });
  // Every 400 lists what is wrong, by field or by the part of the request at fault.
  if (status === 400) expect(response.body.errors).toEqual(expect.arrayContaining([{ field: expect.any(String), message: expect.any(String) }]));
}

describe('reactions over HTTP', () => {
  let app: TestApp;
  let http: Http;
  let reactions: ReturnType<typeof reactionsOf>;

  beforeAll(async () => {
    app = await startTestApp({
      workers: true,
      env: {
        PROJECTION_POLL_MS: '20',
        REACTION_RATE_PER_READER: '10000',
        REACTION_RATE_PER_ADDRESS: '100000',
        REACTION_ARTICLE_CACHE_MS: '300',
        BODY_LIMIT_BYTES: '16384',
      },
    });
    http = httpClient(app.url);
    reactions = reactionsOf(http);
  });
  afterAll(async () => app?.close());

  it('adds, changes, keeps, removes, and removes again; only changes are written', async () => {
    const id = await storyOf(http);
    const reader = readerId('solo');

    const added = await reactions.react(id, reader, 'like', { 'x-request-id': 'req-reaction-1' });
    expect(added.status).toBe(200);
    expect(added.headers.get('content-type')).toMatch(/^application\/json/);
    expect(added.body).toEqual({ articleId: id, reactions: countsWith({ like: 1 }), yourReaction: 'like', position: expect.any(Number) });

    const changed = await reactions.react(id, reader, 'love');
    expect(changed.body).toEqual({ articleId: id, reactions: countsWith({ love: 1 }), yourReaction: 'love', position: expect.any(Number) });
    expect(changed.body.position).toBeGreaterThan(added.body.position);

    const same = await reactions.react(id, reader, 'love');
    expect(same.status).toBe(200);
    expect(same.body).toEqual({ articleId: id, reactions: countsWith({ love: 1 }), yourReaction: 'love', position: null });

    const removed = await reactions.remove(id, reader);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ articleId: id, reactions: zeroReactionCounts(), yourReaction: null, position: expect.any(Number) });

    const removedAgain = await reactions.remove(id, reader);
    expect(removedAgain.status).toBe(200);
    expect(removedAgain.body).toEqual({ articleId: id, reactions: zeroReactionCounts(), yourReaction: null, position: null });

    const events = await reactionEventsOf(app, id);
    expect(events.map((event: { type: string; stream_version: number }) => [event.type, event.stream_version])).toEqual([
      ['ReactionAdded', 1],
      ['ReactionChanged', 2],
      ['ReactionRemoved', 3],
    ]);
    expect(events[0]).toMatchObject({
      stream_id: `reaction-${id}:${reader}`,
      data: { articleId: id, readerId: reader, kind: 'like', reactedAt: expect.any(String) },
      metadata: { actor: { sub: `reader:${reader}`, name: 'Reader', roles: [] }, correlationId: 'req-reaction-1', causationId: 'req-reaction-1' },
    });
    expect(events[1].data).toMatchObject({ kind: 'love', previousKind: 'like' });
    expect(events[2].data).toMatchObject({ previousKind: 'love', removedAt: expect.any(String) });
    expect(await projectedCounts(app, id)).toEqual(zeroReactionCounts());
  });

  it('takes a kind by its name on the page in any case (Like is like), and answers it in lower case', async () => {
    const id = await storyOf(http);
    const reader = readerId('cased');
    const titled = await reactions.react(id, reader, 'Like');
    expect(titled.body).toEqual({ articleId: id, reactions: countsWith({ like: 1 }), yourReaction: 'like', position: expect.any(Number) });
    const shouted = await reactions.react(id, reader, 'LIKE');
    expect(shouted.body).toMatchObject({ yourReaction: 'like', position: null });
    const wow = await reactions.react(id, reader, 'Wow');
    expect(wow.body).toMatchObject({ reactions: countsWith({ wow: 1 }), yourReaction: 'wow' });
  });

  it('shows the counts in /feed, the feed formats and the public article, read-your-writes', async () => {
    const id = await storyOf(http);
    await reactions.react(id, readerId('f1'), 'wow');
    await reactions.react(id, readerId('f2'), 'wow');
    const last = await reactions.react(id, readerId('f3'), 'sad');
    const after = { 'x-min-position': String(last.body.position) };

    const feed = await http.get('/feed?limit=100', { headers: after });
    expect(feed.headers.get('x-min-position-reached')).toBe('true');
    const item = feed.body.items.find((candidate: { id: string }) => candidate.id === id);
    expect(item.reactions).toEqual(countsWith({ wow: 2, sad: 1 }));

    const story = await http.get(`/public/articles/${item.slug}`, { headers: after });
    expect(story.body.reactions).toEqual(countsWith({ wow: 2, sad: 1 }));

    const jsonFeed = await http.get('/feed.json', { headers: after });
    const entry = JSON.parse(jsonFeed.text).items.find((candidate: { id: string }) => candidate.id.endsWith(id));
    expect(entry._newsroom.reactions).toEqual(countsWith({ wow: 2, sad: 1 }));
  });

  it('moves Last-Modified of the feed, the feed formats and the public article when only the counts change', async () => {
    const id = await storyOf(http);
    const { slug } = (await http.get(`/articles/${id}`, { token: editor })).body;
    // A note changes nothing public; waiting for it means the published story is in the feed.
    const note = await http.post(`/articles/${id}/notes`, { text: 'Legal checked it.' }, { token: editor });
    const paths = ['/feed', '/feed?limit=1', '/feed.json', '/feed.rss', '/feed.atom', `/public/articles/${slug}`];
    const read = (path: string, position: number, headers: Record<string, string> = {}) =>
      http.get(path, { headers: { 'x-min-position': String(position), ...headers } });

    const before = await Promise.all(paths.map((path) => read(path, note.body.position)));
    const lastModified = before.map((response) => response.headers.get('last-modified')!);
    for (const [index, response] of before.entries()) {
      expect([paths[index], response.status, Number.isNaN(Date.parse(lastModified[index]))]).toEqual([paths[index], 200, false]);
    }
    // HTTP dates have whole seconds: react in a later second than anything these answers reflect.
    const reactAfter = Math.max(...lastModified.map(Date.parse)) + 1_000 + 100;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, reactAfter - Date.now())));
    const reacted = await reactions.react(id, readerId('lm'), 'funny');
    expect(reacted.status).toBe(200);

    for (const [index, path] of paths.entries()) {
      // If-Modified-Since alone: the body changed (its counts), so this must not be a 304.
      const changed = await read(path, reacted.body.position, { 'if-modified-since': lastModified[index] });
      expect([path, changed.status]).toEqual([path, 200]);
      expect(changed.text).toContain(path.startsWith('/feed.') && path !== '/feed.json' ? 'funny="1"' : '"funny":1');
      const newer = changed.headers.get('last-modified')!;
      expect([path, Date.parse(newer) > Date.parse(lastModified[index])]).toEqual([path, true]);
      expect([path, (await read(path, reacted.body.position, { 'if-modified-since': newer })).status]).toEqual([path, 304]);
    }

    // Independent parsers find the counts in both XML formats.
    const parser = new Parser<object, { id?: string; reactions?: { $: Record<string, string> } }>({
      customFields: { item: [['newsroom:reactions', 'reactions']] },
    });
    for (const format of ['rss', 'atom']) {
      const { items } = await parser.parseString((await read(`/feed.${format}`, reacted.body.position)).text);
      const item = items.find((candidate) => (candidate.guid ?? candidate.id) === `urn:uuid:${id}`);
      expect([format, item?.reactions?.$.funny, item?.reactions?.$.like]).toEqual([format, '1', '0']);
    }
  });

  it('counts exactly when 200 readers react at once, some changing and removing', async () => {
    const id = await storyOf(http);
    const readers = Array.from({ length: 200 }, (_, n) => readerId(n));
    const finalKinds = new Map<string, ReactionKind | null>();
    const pick = () => REACTION_KINDS[Math.floor(Math.random() * REACTION_KINDS.length)];

    const answers = await Promise.all(
      readers.map(async (reader) => {
        const seen: HttpResult[] = [];
        let kind: ReactionKind | null = pick();
        seen.push(await reactions.react(id, reader, kind));
        const roll = Math.random();
        if (roll < 0.3) {
          kind = pick();
          seen.push(await reactions.react(id, reader, kind));
        } else if (roll < 0.5) {
          kind = null;
          seen.push(await reactions.remove(id, reader));
        } else if (roll < 0.6) {
          seen.push(await reactions.react(id, reader, kind));
        }
        finalKinds.set(reader, kind);
        return { reader, kind, seen };
      }),
    );

    for (const { kind, seen } of answers) {
      for (const answer of seen) expect(answer.status).toBe(200);
      const last = seen[seen.length - 1].body;
      expect(last.yourReaction).toBe(kind);
      // The reader's own reaction is always in the counts they get back.
      if (kind !== null) expect(last.reactions[kind]).toBeGreaterThanOrEqual(1);
    }

    const expected = zeroReactionCounts();
    for (const kind of finalKinds.values()) if (kind !== null) expected[kind] += 1;
    expect(await projectedCounts(app, id)).toEqual(expected);

    // Once the projection has caught up, every answer carries the exact counts.
    const probe = readers[0];
    const probeKind = finalKinds.get(probe)!;
    const answer = probeKind === null ? await reactions.remove(id, probe) : await reactions.react(id, probe, probeKind);
    expect(answer.body).toEqual({ articleId: id, reactions: expected, yourReaction: probeKind, position: null });
  });

  it('keeps one reaction per reader when the same reader sends many at once', async () => {
    const id = await storyOf(http);
    const reader = readerId('eager');
    const burst = await Promise.all([...REACTION_KINDS, ...REACTION_KINDS].map((kind) => reactions.react(id, reader, kind)));
    // They take turns in the API process: none loses a race, so none is refused.
    expect(burst.map((response) => response.status)).toEqual(burst.map(() => 200));

    const counts = await projectedCounts(app, id);
    expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(1);
    const events = await reactionEventsOf(app, id);
    const finalKind = events[events.length - 1].data.kind;
    expect(counts).toEqual(countsWith({ [finalKind]: 1 }));
    expect(events[0].type).toBe('ReactionAdded');
    expect(events.slice(1).every((event: { type: string }) => event.type === 'ReactionChanged')).toBe(true);
  });

  it('takes reactions on published stories only: drafts and unknown articles 404, retracted 409', async () => {
    const reader = readerId('picky');
    for (const id of [await storyOf(http, 'draft'), await storyOf(http, 'approved'), '0199d0c4-5e3a-7b21-9f4e-000000000000', 'not-a-uuid']) {
      const refused = await reactions.react(id, reader, 'like');
      expectProblem(refused, 404);
      expect(refused.body.detail).not.toMatch(/draft|approved/i);
      expectProblem(await reactions.remove(id, reader), 404);
    }

    const retracted = await storyOf(http, 'retracted');
    const refused = await reactions.react(retracted, reader, 'like');
    expectProblem(refused, 409);
    expect(refused.body.type).toContain('article-retracted');
    expectProblem(await reactions.remove(retracted, reader), 409);

    // Reacted to while published, then retracted through this process: refused at once, though
    // "published" is still cached (REACTION_ARTICLE_CACHE_MS).
    const live = await storyOf(http);
    expect((await reactions.react(live, reader, 'wow')).status).toBe(200);
    await retract(http, live);
    expectProblem(await reactions.react(live, reader, 'sad'), 409);
    expectProblem(await reactions.remove(live, reader), 409);

    const events = await app.app.get(DataSource).query(`SELECT data->>'articleId' AS article_id FROM events WHERE stream_type = 'reaction' AND data->>'readerId' = $1`, [reader]);
    expect(events).toEqual([{ article_id: live }]);
  });

  it('refuses bad input with 400 (and too large bodies with 413), writing nothing', async () => {
    const id = await storyOf(http);
    for (const bad of [undefined, 'short', 'has spaces in it', 'semi;colon-123', 'x'.repeat(65)]) {
      const headers: Record<string, string> = bad === undefined ? {} : { 'x-reader-id': bad };
      for (const response of [
        await http.post(`/public/articles/${id}/reactions`, { kind: 'like' }, { headers }),
        await http.delete(`/public/articles/${id}/reactions`, { headers }),
      ]) {
        expectProblem(response, 400);
        expect(response.body.errors).toEqual([{ field: 'X-Reader-Id', message: expect.any(String) }]);
      }
    }

    // Everything wrong at once is listed at once.
    const allWrong = await http.post(`/public/articles/${id}/reactions`, { kind: 'meh', extra: 1 }, { headers: { 'x-reader-id': 'short' } });
    expectProblem(allWrong, 400);
    expect(allWrong.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['X-Reader-Id', 'extra', 'kind']);

    const reader = readerId('sloppy');
    const badKind = await reactions.react(id, reader, 'meh');
    expectProblem(badKind, 400);
    expect(badKind.body.errors).toEqual([{ field: 'kind', message: expect.stringContaining('like, dislike, love, funny, angry, sad, wow') }]);

    const noKind = await http.post(`/public/articles/${id}/reactions`, {}, { headers: { 'x-reader-id': reader } });
    expectProblem(noKind, 400);
    expect(noKind.body.errors).toEqual([{ field: 'kind', message: expect.any(String) }]);

    const extra = await http.post(`/public/articles/${id}/reactions`, { kind: 'like', weight: 10 }, { headers: { 'x-reader-id': reader } });
    expectProblem(extra, 400);
    expect(extra.body.errors).toEqual([{ field: 'weight', message: expect.any(String) }]);

    const wrongType = await http.post(`/public/articles/${id}/reactions`, { kind: ['like'] }, { headers: { 'x-reader-id': reader } });
    expectProblem(wrongType, 400);

    const malformed = await http.request('POST', `/public/articles/${id}/reactions`, { rawBody: '{"kind": ', headers: { 'x-reader-id': reader } });
    expectProblem(malformed, 400);

    // Deeper nesting than any body takes: a 400 (on routes with larger limits, a few kilobytes of it
    // would otherwise overflow the stack further in: a 500).
    const deep = '['.repeat(100) + ']'.repeat(100);
    for (const rawBody of [deep, `{"kind":${deep}}`]) {
      const nested = await http.request('POST', `/public/articles/${id}/reactions`, { rawBody, headers: { 'x-reader-id': reader } });
      expectProblem(nested, 400);
      expect(nested.body.type).toContain('too-deeply-nested');
    }

    // Over the reactions' own limit (1 KiB), though far below the server's (16 KiB here): a 413.
    const tooLarge = await http.post(`/public/articles/${id}/reactions`, { kind: 'like', padding: 'x'.repeat(2_000) }, { headers: { 'x-reader-id': reader } });
    expectProblem(tooLarge, 413);
    const justFits = await http.post(`/public/articles/${id}/reactions`, { kind: 'like', padding: 'x'.repeat(980) }, { headers: { 'x-reader-id': reader } });
    expectProblem(justFits, 400);
    expect(justFits.body.errors).toEqual([{ field: 'padding', message: expect.any(String) }]);

    expect(await reactionEventsOf(app, id)).toEqual([]);
  });
});

describe('reaction rate limits', () => {
  const apps: TestApp[] = [];
  afterAll(async () => Promise.all(apps.map((app) => app.close())));

  const start = async (env: Record<string, string>) => {
    const app = await startTestApp({ env: { REACTION_RATE_PER_READER: '3', REACTION_RATE_PER_ADDRESS: '8', ...env } });
    apps.push(app);
    const http = httpClient(app.url);
    return { app, http, reactions: reactionsOf(http), id: await storyOf(http) };
  };

  function expectRateLimited(response: HttpResult, maxSeconds: number): void {
    expectProblem(response, 429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
    expect(response.body.retryAfter).toBe(retryAfter);
  }

  it('limits each reader and each client address, POST and DELETE alike, with Retry-After', async () => {
    const { app, reactions, id } = await start({});
    const kinds = ['like', 'love', 'wow'];
    for (const kind of kinds) expect((await reactions.react(id, readerId('a'), kind)).status).toBe(200);

    const perReader = await reactions.react(id, readerId('a'), 'sad');
    expectRateLimited(perReader, 60);
    expect(perReader.body.per).toBe('reader');
    expectRateLimited(await reactions.remove(id, readerId('a')), 60);

    // Other readers on the same address go on, until the address has used its 8 a minute.
    for (const n of ['b', 'c', 'd', 'e', 'f']) expect((await reactions.react(id, readerId(n), 'like')).status).toBe(200);
    const perAddress = await reactions.react(id, readerId('g'), 'like');
    expectRateLimited(perAddress, 60);
    expect(perAddress.body.per).toBe('client address');
    // Without TRUST_PROXY a forwarded address changes nothing.
    expectRateLimited(await reactions.react(id, readerId('h'), 'like', { 'x-forwarded-for': '203.0.113.9' }), 60);

    // Refused requests wrote nothing: 3 + 5 reactions, by 6 readers.
    expect(await reactionEventsOf(app, id)).toHaveLength(8);
  });

  it('takes the client address from X-Forwarded-For with TRUST_PROXY', async () => {
    const { reactions, id } = await start({ TRUST_PROXY: 'true', REACTION_RATE_PER_READER: '100', REACTION_RATE_PER_ADDRESS: '2' });
    const from = (address: string) => ({ 'x-forwarded-for': address });
    expect((await reactions.react(id, readerId(1), 'like', from('203.0.113.1'))).status).toBe(200);
    expect((await reactions.react(id, readerId(2), 'like', from('203.0.113.1'))).status).toBe(200);
    expectRateLimited(await reactions.react(id, readerId(3), 'like', from('203.0.113.1')), 60);
    expect((await reactions.react(id, readerId(3), 'like', from('203.0.113.2'))).status).toBe(200);
  });
});

describe('reactions before the projection has run', () => {
  let app: TestApp;
  let projection: LogFedProjection;

  beforeAll(async () => {
    // No workers: the counts projection runs only when the test says so.
    app = await startTestApp({ workers: false, env: { REACTION_RATE_PER_ADDRESS: '100000' } });
    projection = new LogFedProjection(app.app.get(DataSource), app.app.get(EventStore), reactionCountsProjection, { batchSize: 500, pollMs: 50 });
  });
  afterAll(async () => app?.close());

  it('counts the reader\'s own reaction exactly once, however far behind the projection is', async () => {
    const http = httpClient(app.url);
    const { react, remove } = reactionsOf(http);
    const id = await storyOf(http);
    const [ann, ben] = [readerId('ann'), readerId('ben')];

    expect((await react(id, ann, 'like')).body.reactions).toEqual(countsWith({ like: 1 }));
    // Ben's answer has Ben, not yet Ann: her reaction reaches others through the projection.
    expect((await react(id, ben, 'like')).body.reactions).toEqual(countsWith({ like: 1 }));
    expect((await react(id, ann, 'love')).body.reactions).toEqual(countsWith({ love: 1 }));
    expect(await app.app.get(DataSource).query('SELECT * FROM reaction_counts')).toEqual([]);

    await projection.catchUp();
    expect((await react(id, ann, 'love')).body.reactions).toEqual(countsWith({ like: 1, love: 1 }));
    // Behind again, now with Ann's reaction counted in the projection under its old kind.
    expect((await react(id, ann, 'wow')).body.reactions).toEqual(countsWith({ like: 1, wow: 1 }));
    expect((await remove(id, ann)).body.reactions).toEqual(countsWith({ like: 1 }));
    expect((await react(id, ann, 'sad')).body.reactions).toEqual(countsWith({ like: 1, sad: 1 }));
    expect((await react(id, ben, 'sad')).body.reactions).toEqual(countsWith({ love: 1, sad: 1 }));

    await projection.catchUp();
    expect((await remove(id, ben)).body.reactions).toEqual(countsWith({ sad: 1 }));
    expect(await projectedCounts(app, id, 0).catch(() => null)).toBeNull();
    await projection.catchUp();
    expect(await projectedCounts(app, id, 0)).toEqual(countsWith({ sad: 1 }));
  });
});
