import jwt from 'jsonwebtoken';
import { databaseProbe, type DatabaseProbe } from '../support/security/fixtures.js';
import { seedStory } from '../support/seed-story.js';
import { httpClient, startTestApp, STAFF, staffToken, TEST_JWT_SECRET, tokenOf, type TestApp } from '../support/test-app.js';

/** The article workflow over HTTP against the real service and PostgreSQL, with the seed story. */
describe('article workflow over HTTP', () => {
  let app: TestApp;
  let http: ReturnType<typeof httpClient>;
  let database: DatabaseProbe;
  const reporter = tokenOf(STAFF.reporter);
  const otherReporter = tokenOf(STAFF.otherReporter);
  const editor = tokenOf(STAFF.editor);
  const factChecker = tokenOf(STAFF.factChecker);
  const admin = tokenOf(STAFF.admin);

  beforeAll(async () => {
    app = await startTestApp();
    http = httpClient(app.url);
    database = databaseProbe(app.database.url);
  });
  afterAll(async () => {
    await database?.close();
    await app?.close();
  });

  const seedDraft = () => ({
    headline: seedStory.headline,
    body: seedStory.body,
    section: seedStory.section,
    tags: seedStory.tags,
    standfirst: 'Chinese leader raises Taiwan in a rare call as the two presidents plan visits.',
  });

  async function draft(body: object = seedDraft(), token = reporter): Promise<string> {
    const response = await http.post('/articles', body, { token });
    expect(response.status).toBe(201);
    return response.body.id;
  }

  async function versionOf(id: string): Promise<number> {
    const response = await http.get(`/articles/${id}`, { token: editor });
    return response.body.version;
  }

  /** Drafted, submitted and approved, with one claim rated as given. */
  async function approvedWithClaim(rating: string): Promise<{ id: string; claimId: string }> {
    const id = await draft();
    const claim = await http.post(`/articles/${id}/claims`, seedStory.claims[0], { token: reporter });
    await http.post(`/articles/${id}/claims/${claim.body.claimId}/verdict`, {
      rating,
      explanation: 'Checked against the readouts.',
      sources: ['https://www.gov.cn/yaowen/liebiao/202511/content_7049011.htm'],
    }, { token: factChecker });
    expect((await http.post(`/articles/${id}/submit`, undefined, { token: reporter })).status).toBe(200);
    expect((await http.post(`/articles/${id}/approve`, undefined, { token: editor })).status).toBe(200);
    return { id, claimId: claim.body.claimId };
  }

  it('takes the seed story from draft to published, corrected and retracted', async () => {
    const drafted = await http.post('/articles', seedDraft(), { token: reporter });
    expect(drafted.status).toBe(201);
    const id = drafted.body.id;
    expect(drafted.body).toEqual({ id, version: 1, position: expect.any(Number) });
    expect(drafted.headers.get('location')).toBe(`/articles/${id}`);
    expect(drafted.headers.get('etag')).toBe('"1"');

    const positions: number[] = [drafted.body.position];
    const step = async (method: 'post' | 'patch', path: string, body: unknown, token: string, status = 200) => {
      const response = await http[method](`/articles/${id}${path}`, body, { token });
      expect({ path, status: response.status, body: response.body }).toEqual({ path, status, body: expect.anything() });
      expect(response.body.id).toBe(id);
      expect(response.headers.get('etag')).toBe(`"${response.body.version}"`);
      positions.push(response.body.position);
      return response.body;
    };

    const claimIds: string[] = [];
    for (const claim of seedStory.claims) {
      const added = await step('post', '/claims', claim, reporter, 201);
      expect(added.claimId).toMatch(/^[0-9a-f-]{36}$/);
      claimIds.push(added.claimId);
    }
    await step('post', '/submit', undefined, reporter);
    await step('post', '/request-changes', { reason: 'Attribute the tariff figures.' }, editor);
    await step('patch', '', { standfirst: 'Xi raises Taiwan; both leaders plan state visits.' }, reporter);
    await step('post', '/submit', undefined, reporter);
    await step('post', '/approve', undefined, editor);
    for (const claimId of claimIds) {
      await step('post', `/claims/${claimId}/verdict`, {
        rating: 'true',
        explanation: 'Matches the White House and Xinhua readouts.',
        sources: ['https://www.whitehouse.gov/briefings-statements/', 'https://english.news.cn/'],
      }, factChecker);
    }
    const published = await step('post', '/publish', {}, editor);
    await step('post', '/corrections', { kind: 'correction', text: 'An earlier version misstated the length of the call.' }, editor, 201);
    await step('patch', '', { headline: `${seedStory.headline} (updated)` }, editor);
    await step('post', '/notes', { text: 'Legal checked the Taiwan paragraph.' }, factChecker, 201);
    await step('post', '/assign', { userId: 'bob', as: 'reporter', name: 'Bob Osei' }, editor);

    // Every write moved the version by one and the global position forward.
    expect(published.version).toBe(1 + 7 + 5 + 7 + 1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const article = await http.get(`/articles/${id}`, { token: reporter });
    expect(article.status).toBe(200);
    expect(article.headers.get('etag')).toBe(`"${article.body.version}"`);
    expect(article.body).toMatchObject({
      id,
      status: 'published',
      headline: `${seedStory.headline} (updated)`,
      section: 'world',
      tags: seedStory.tags,
      author: { id: 'alice', name: 'Alice Chen' },
      authors: [{ id: 'alice', name: 'Alice Chen' }, { id: 'bob', name: 'Bob Osei' }],
      overrideReason: null,
      publishGate: { open: true, problems: [] },
    });
    expect(article.body.slug).toMatch(/^xi-presses-trump-on-taiwan-as-leaders-agree-to-meet-in-china-next-april-[0-9a-f]{8}$/);
    expect(article.body.claims).toHaveLength(7);
    expect(article.body.claims.every((claim: { verdict: { rating: string } }) => claim.verdict.rating === 'true')).toBe(true);
    expect(article.body.corrections).toEqual([expect.objectContaining({ kind: 'correction' })]);

    // The state as of an earlier version.
    const asDrafted = await http.get(`/articles/${id}?version=1`, { token: editor });
    expect(asDrafted.body).toMatchObject({ status: 'draft', version: 1, headline: seedStory.headline, claims: [] });
    expect(asDrafted.headers.get('etag')).toBe('"1"');
    const asApproved = await http.get(`/articles/${id}?version=13`, { token: editor });
    expect(asApproved.body.status).toBe('approved');

    const history = await http.get(`/articles/${id}/history`, { token: factChecker });
    expect(history.status).toBe(200);
    expect(history.body.events.map((event: { type: string }) => event.type)).toEqual([
      'ArticleDrafted',
      ...Array(7).fill('ClaimAdded'),
      'ArticleSubmitted',
      'ChangesRequested',
      'ArticleRevised',
      'ArticleSubmitted',
      'ArticleApproved',
      ...Array(7).fill('FactChecked'),
      'Published',
      'CorrectionIssued',
      'ArticleRevised',
      'EditorialNoteAdded',
      'ArticleAssigned',
    ]);
    expect(history.body.events.map((event: { version: number }) => event.version)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(history.body.events[0]).toMatchObject({
      version: 1,
      type: 'ArticleDrafted',
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      actor: { sub: 'alice', name: 'Alice Chen', roles: ['reporter'] },
      data: { articleId: id, headline: seedStory.headline },
    });
    expect(history.body.events[9]).toMatchObject({ type: 'ChangesRequested', actor: { sub: 'erin' }, data: { reason: 'Attribute the tariff figures.' } });

    const retracted = await http.post(`/articles/${id}/retract`, { reason: 'The call readout was later disputed.' }, { token: editor });
    expect(retracted.status).toBe(200);
    const afterRetraction = await http.patch(`/articles/${id}`, { body: 'Too late.' }, { token: editor });
    expect(afterRetraction.status).toBe(409);
    expect(afterRetraction.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(afterRetraction.body).toMatchObject({ status: 409, currentStatus: 'retracted' });
  });

  describe('the publish gate', () => {
    it.each(['false', 'mostly_false', 'unverifiable'])('refuses a claim rated %s, then publishes with an override reason', async (rating) => {
      const { id, claimId } = await approvedWithClaim(rating);
      const before = await versionOf(id);
      const refused = await http.post(`/articles/${id}/publish`, {}, { token: editor });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        type: expect.stringContaining('publish-gate'),
        status: 409,
        problems: [{ claimId, problem: 'flagged', rating }],
      });
      expect(await versionOf(id)).toBe(before);

      const overridden = await http.post(`/articles/${id}/publish`, { overrideReason: 'Rating disputed; the story says so.' }, { token: editor });
      expect(overridden.status).toBe(200);
      const history = await http.get(`/articles/${id}/history`, { token: editor });
      const publishedEvent = history.body.events.find((event: { type: string }) => event.type === 'Published');
      expect(publishedEvent.data.overrideReason).toBe('Rating disputed; the story says so.');
    });

    it('refuses a claim without a verdict', async () => {
      const id = await draft();
      await http.post(`/articles/${id}/claims`, { text: 'Tariffs average just under 50%.' }, { token: editor });
      await http.post(`/articles/${id}/submit`, undefined, { token: reporter });
      await http.post(`/articles/${id}/approve`, undefined, { token: editor });
      const refused = await http.post(`/articles/${id}/publish`, undefined, { token: editor });
      expect(refused.status).toBe(409);
      expect(refused.body.problems).toEqual([expect.objectContaining({ problem: 'unrated' })]);
    });

    it('publishes when every claim is rated true, mostly true or half true', async () => {
      const { id } = await approvedWithClaim('half_true');
      const published = await http.post(`/articles/${id}/publish`, undefined, { token: editor });
      expect(published.status).toBe(200);
    });
  });

  describe('scheduling', () => {
    it('schedules a future publication and refuses a past one', async () => {
      const { id } = await approvedWithClaim('true');
      const past = await http.post(`/articles/${id}/schedule`, { publishAt: '2020-01-01T00:00:00Z' }, { token: editor });
      expect(past.status).toBe(400);
      expect(past.body.errors).toEqual([expect.objectContaining({ field: 'publishAt' })]);
      // The same problem as any invalid field, though the decider found it (the time is its to judge).
      expect(past.body).toMatchObject({ type: 'https://newsroom.dev/problems/validation-failed', title: 'Invalid input' });

      const noZone = await http.post(`/articles/${id}/schedule`, { publishAt: '2099-01-01T00:00:00' }, { token: editor });
      expect(noZone.status).toBe(400);
      const tooFar = await http.get(`/articles/${id}?version=99999999999`, { token: editor });
      expect(tooFar.body.errors).toEqual([{ field: 'version', message: 'version must be an integer from 1 to 2147483647' }]);

      const publishAt = new Date(Date.now() + 3_600_000).toISOString();
      const scheduled = await http.post(`/articles/${id}/schedule`, { publishAt: publishAt.toLowerCase() }, { token: editor });
      expect(scheduled.status).toBe(200);
      const article = await http.get(`/articles/${id}`, { token: editor });
      expect(article.body).toMatchObject({ status: 'scheduled', publishAt });

      // Published early by an editor: the schedule is done (the board: board.e2e.spec.ts).
      const published = await http.post(`/articles/${id}/publish`, {}, { token: editor });
      expect(published.status).toBe(200);
      const now = await http.get(`/articles/${id}`, { token: editor });
      expect(now.body).toMatchObject({ status: 'published', publishAt: null });
    });
  });

  it('takes If-Match as RFC 9110 does: a list, strong comparison, and no version before a draft', async () => {
    const id = await draft();
    const inList = await http.post(`/articles/${id}/submit`, undefined, { token: reporter, headers: { 'if-match': '"7", "1"' } });
    expect(inList.status).toBe(200);
    // Version 2 now: a weak tag, or the same number spelled otherwise, is not our ETag "2".
    for (const ifMatch of ['W/"2"', '"02"']) {
      const refused = await http.post(`/articles/${id}/notes`, { text: 'x' }, { token: editor, headers: { 'if-match': ifMatch } });
      expect({ ifMatch, status: refused.status, currentVersion: refused.body.currentVersion }).toEqual({ ifMatch, status: 412, currentVersion: 2 });
    }
    const before = await database.lastPosition();
    const onDraft = await http.post('/articles', seedDraft(), { token: reporter, headers: { 'if-match': '*' } });
    expect(onDraft.status).toBe(412);
    const garbage = await http.post('/articles', seedDraft(), { token: reporter, headers: { 'if-match': 'garbage' } });
    expect(garbage.status).toBe(400);
    expect(await database.lastPosition()).toBe(before);
  });

  it('takes JSON declared as UTF-8, in any spelling of the charset', async () => {
    const id = await draft();
    for (const charset of ['utf-8', '"UTF-8"', 'utf8']) {
      const note = await http.request('POST', `/articles/${id}/notes`, { token: reporter, rawBody: '{"text":"Café in Zürich"}', headers: { 'content-type': `application/json; charset=${charset}` } });
      expect({ charset, status: note.status }).toEqual({ charset, status: 201 });
    }
    const history = await http.get(`/articles/${id}/history`, { token: editor });
    expect(history.body.events.at(-1).data.text).toBe('Café in Zürich');
  });

  it('lets an author revise and submit whatever roles the token holds now: the contract names authors, not roles', async () => {
    const id = await draft();
    const authorAsFactChecker = tokenOf({ ...STAFF.reporter, roles: ['fact_checker'] });
    expect((await http.patch(`/articles/${id}`, { body: 'Rewritten.' }, { token: authorAsFactChecker })).status).toBe(200);
    expect((await http.post(`/articles/${id}/submit`, undefined, { token: authorAsFactChecker })).status).toBe(200);
  });

  it('names a reporter assigned by id alone as the article\'s events showed them, else by their id', async () => {
    const id = await draft();
    expect((await http.post(`/articles/${id}/notes`, { text: 'I know the sources.' }, { token: otherReporter })).status).toBe(201);
    expect((await http.post(`/articles/${id}/assign`, { userId: STAFF.otherReporter.sub, as: 'reporter' }, { token: editor })).status).toBe(200);
    expect((await http.post(`/articles/${id}/assign`, { userId: 'zoe', as: 'reporter' }, { token: editor })).status).toBe(200);
    const { body } = await http.get(`/articles/${id}`, { token: editor });
    expect(body.authors).toEqual([
      { id: STAFF.reporter.sub, name: STAFF.reporter.name },
      { id: STAFF.otherReporter.sub, name: STAFF.otherReporter.name },
      { id: 'zoe', name: 'zoe' },
    ]);
    expect(body.knownNames).toBeUndefined();
  });

  describe('refusals write nothing', () => {
    let id: string;
    let version: number;
    let lastPosition: number;

    beforeAll(async () => {
      id = await draft();
      version = await versionOf(id);
    });
    beforeEach(async () => {
      lastPosition = await database.lastPosition();
    });
    // The whole log, not only the fixture's stream: a refused POST /articles would start a new one.
    afterEach(async () => {
      expect(await versionOf(id)).toBe(version);
      expect(await database.lastPosition()).toBe(lastPosition);
    });

    it('400: lists each invalid field', async () => {
      const response = await http.post('/articles', { headline: '   ', body: 42, tags: ['ok', 7], colour: 'red' }, { token: reporter });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 400, detail: expect.any(String) });
      const fields = response.body.errors.map((error: { field: string }) => error.field).sort();
      expect(fields).toEqual(['body', 'colour', 'headline', 'section', 'tags']);
    });

    it('400: unknown fields, bad URLs, bad ratings, empty revisions, bad versions and headers', async () => {
      const claim = await http.post(`/articles/${id}/claims`, { text: 'A claim.', source: 'x' }, { token: reporter });
      expect(claim.status).toBe(400);
      expect(claim.body.errors).toEqual([{ field: 'source', message: expect.any(String) }]);

      const verdict = await http.post(`/articles/${id}/claims/00000000-0000-7000-8000-000000000000/verdict`, {
        rating: 'pants_on_fire',
        explanation: 'x',
        sources: ['javascript:alert(1)', 'not a url'],
      }, { token: factChecker });
      expect(verdict.status).toBe(400);
      expect(verdict.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['rating', 'sources']);

      const tooLong = await http.post('/articles', { ...seedDraft(), headline: 'x'.repeat(201) }, { token: reporter });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.errors).toEqual([{ field: 'headline', message: expect.stringContaining('200') }]);

      const emptyRevision = await http.patch(`/articles/${id}`, {}, { token: reporter });
      expect(emptyRevision.status).toBe(400);
      // Only the standfirst can be removed: null for any other field is refused, naming the field.
      const nulls = await http.patch(`/articles/${id}`, { headline: null, body: null, section: null, tags: null }, { token: reporter });
      expect(nulls.status).toBe(400);
      expect(nulls.body.type).toContain('validation-failed');
      expect(nulls.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['body', 'headline', 'section', 'tags']);
      // A list that is no list says so first, not what its elements lack.
      const notList = await http.patch(`/articles/${id}`, { tags: 'politics' }, { token: reporter });
      expect(notList.body.errors).toEqual([{ field: 'tags', message: 'tags must be an array' }]);
      const sameRevision = await http.patch(`/articles/${id}`, { section: 'world' }, { token: reporter });
      expect(sameRevision.status).toBe(409);

      const badVersion = await http.get(`/articles/${id}?version=zero`, { token: editor });
      expect(badVersion.status).toBe(400);
      // A misspelt parameter would otherwise answer the current version as if it were the one asked for.
      const misspelt = await http.get(`/articles/${id}?verison=1`, { token: editor });
      expect(misspelt.status).toBe(400);
      expect(misspelt.body.errors).toEqual([{ field: 'verison', message: expect.stringContaining('verison') }]);
      const badKind = await http.post(`/articles/${id}/assign`, { userId: 'bob', as: 'intern' }, { token: editor });
      expect(badKind.status).toBe(400);
      // The service's own actors and readers are no staff: an assignee would become a public byline.
      for (const userId of ['system:scheduler', 'Reader:abc']) {
        const reserved = await http.post(`/articles/${id}/assign`, { userId, as: 'reporter' }, { token: editor });
        expect({ userId, status: reserved.status, fields: reserved.body.errors?.map((error: { field: string }) => error.field) }).toEqual({ userId, status: 400, fields: ['userId'] });
      }
      // Duplicates, compared as a reader would: tags without case or Unicode spelling, sources as the URLs they are.
      for (const tags of [['Politics', 'politics'], ['caf\u00e9', 'cafe\u0301']]) {
        const sameTags = await http.post('/articles', { ...seedDraft(), tags }, { token: reporter });
        expect({ tags, status: sameTags.status, errors: sameTags.body.errors }).toEqual({ tags, status: 400, errors: [expect.objectContaining({ field: 'tags' })] });
      }
      // A tag that is no tag is named first: blank ones are blank, not repeats of each other.
      const blankTags = await http.post('/articles', { ...seedDraft(), tags: ['', '  '] }, { token: reporter });
      expect(blankTags.body.errors).toEqual([{ field: 'tags', message: expect.stringContaining('must not be blank') }]);
      for (const sources of [['https://example.com/a', 'https://example.com/a'], ['https://example.com/a', 'https://EXAMPLE.com:443/a']]) {
        const sameSources = await http.post(`/articles/${id}/claims/00000000-0000-7000-8000-000000000000/verdict`, {
          rating: 'true', explanation: 'x', sources,
        }, { token: factChecker });
        expect({ sources, status: sameSources.status, errors: sameSources.body.errors }).toEqual({ sources, status: 400, errors: [expect.objectContaining({ field: 'sources' })] });
      }
      // Sources become links on the public page: none with credentials, or into a private network.
      for (const source of ['https://user:secret@example.com/report', 'http://127.0.0.1:3000/admin', 'http://10.1.2.3/', 'http://[::1]/']) {
        const privateSource = await http.post(`/articles/${id}/claims/00000000-0000-7000-8000-000000000000/verdict`, {
          rating: 'true', explanation: 'x', sources: [source],
        }, { token: factChecker });
        expect({ source, status: privateSource.status, errors: privateSource.body.errors }).toEqual({
          source, status: 400, errors: [{ field: 'sources', message: expect.stringContaining('public address') }],
        });
      }
      // Commands without fields refuse fields, as the others refuse unknown ones.
      for (const path of ['/submit', '/approve']) {
        const withFields = await http.post(`/articles/${id}${path}`, { foo: 1 }, { token: path === '/submit' ? reporter : editor });
        expect({ path, status: withFields.status, errors: withFields.body.errors }).toEqual({ path, status: 400, errors: [{ field: 'foo', message: 'property foo should not exist' }] });
      }
      const badIfMatch = await http.post(`/articles/${id}/submit`, undefined, { token: reporter, headers: { 'if-match': 'version 1' } });
      expect(badIfMatch.status).toBe(400);
      expect(badIfMatch.body.errors).toEqual([{ field: 'If-Match', message: expect.any(String) }]);
      const badMinPosition = await http.get(`/articles/${id}`, { token: editor, headers: { 'x-min-position': '-4' } });
      expect(badMinPosition.status).toBe(400);
    });

    it('400: malformed JSON, a JSON array and a non-object body', async () => {
      const malformed = await http.request('POST', '/articles', { token: reporter, rawBody: '{"headline": "x",' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.type).toContain('malformed-json');
      // No field can be named: the body as a whole is listed, as every 400 lists what is wrong.
      expect(malformed.body.errors).toEqual([{ field: 'body', message: malformed.body.detail }]);
      const notAnObject = [{ field: 'body', message: 'must be a JSON object' }];
      const array = await http.request('POST', '/articles', { token: reporter, rawBody: JSON.stringify([seedDraft()]) });
      expect({ status: array.status, errors: array.body.errors }).toEqual({ status: 400, errors: notAnObject });
      const scalar = await http.request('POST', `/articles/${id}/notes`, { token: reporter, rawBody: '"just text"' });
      expect({ status: scalar.status, errors: scalar.body.errors }).toEqual({ status: 400, errors: notAnObject });
      // An empty body is no body (below), but a blank one is not JSON.
      const blank = await http.request('POST', `/articles/${id}/submit`, { token: reporter, rawBody: ' ' });
      expect(blank.status).toBe(400);
      expect(blank.body.type).toContain('malformed-json');
      const malformedOptional = await http.request('POST', `/articles/${id}/submit`, { token: reporter, rawBody: '{' });
      expect(malformedOptional.status).toBe(400);
      expect(malformedOptional.body.type).toContain('malformed-json');
    });

    it('400: fields named like the members of every object (constructor, toString, __proto__) are unknown fields too', async () => {
      const named = await http.post('/articles', { ...seedDraft(), constructor: 1, toString: 'x', hasOwnProperty: null }, { token: reporter });
      expect({ status: named.status, fields: named.body.errors?.map((error: { field: string }) => error.field).sort() }).toEqual({
        status: 400,
        fields: ['constructor', 'hasOwnProperty', 'toString'],
      });
      const alongside = await http.post(`/articles/${id}/notes`, { text: '', valueOf: 2 }, { token: reporter });
      expect(alongside.body.errors?.map((error: { field: string }) => error.field).sort()).toEqual(['text', 'valueOf']);
      const proto = await http.request('POST', `/articles/${id}/notes`, { token: reporter, rawBody: '{"text":"hello","__proto__":{"admin":true}}' });
      expect({ status: proto.status, type: proto.body.type, fields: proto.body.errors?.map((error: { field: string }) => error.field) }).toEqual({
        status: 400,
        type: expect.stringContaining('validation-failed'),
        fields: ['__proto__'],
      });
      for (const path of ['/board?constructor=1', '/fact-checks/queue?__proto__=x', `/articles/${id}/diff?from=1&toString=2`]) {
        const query = await http.get(path, { token: editor });
        expect({ path, status: query.status, errors: query.body.errors }).toEqual({ path, status: 400, errors: [expect.objectContaining({ message: expect.stringContaining('should not exist') })] });
      }
    });

    it('400 for bytes that are not UTF-8, 415 for a charset other than UTF-8 (RFC 8259 §8.1): never stored as U+FFFD', async () => {
      const latin1 = Buffer.from('{"text":"caf\xe9"}', 'latin1');
      const notUtf8 = await http.request('POST', `/articles/${id}/notes`, { token: reporter, rawBody: latin1 });
      expect({ status: notUtf8.status, type: notUtf8.body.type, detail: notUtf8.body.detail }).toEqual({
        status: 400,
        type: expect.stringContaining('malformed-json'),
        detail: 'The body is not valid UTF-8.',
      });
      const declared = await http.request('POST', `/articles/${id}/notes`, { token: reporter, rawBody: latin1, headers: { 'content-type': 'application/json; charset=iso-8859-1' } });
      expect({ status: declared.status, type: declared.body.type }).toEqual({ status: 415, type: expect.stringContaining('unsupported-charset') });
    });

    it('415: a body that is not JSON, or that comes compressed', async () => {
      const form = await http.request('POST', `/articles/${id}/notes`, { token: reporter, rawBody: 'text=hello', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect({ status: form.status, type: form.body.type }).toEqual({ status: 415, type: expect.stringContaining('unsupported-media-type') });
      const text = await http.request('POST', `/articles/${id}/notes`, { token: reporter, rawBody: '{"text":"hello"}', headers: { 'content-type': 'text/plain' } });
      expect({ status: text.status, type: text.body.type }).toEqual({ status: 415, type: expect.stringContaining('unsupported-media-type') });
      const gzip = await http.request('POST', `/articles/${id}/notes`, { token: reporter, rawBody: '{"text":"hello"}', headers: { 'content-encoding': 'gzip' } });
      expect({ status: gzip.status, type: gzip.body.type }).toEqual({ status: 415, type: expect.stringContaining('unsupported-content-encoding') });
    });

    it('400: a body nested deeper than 32 levels, whole or in one field, before it reaches validation', async () => {
      const deep = '['.repeat(2000) + ']'.repeat(2000);
      for (const [path, rawBody] of [
        ['/articles', deep],
        ['/articles', `{"headline":"h","body":"b","section":"s","tags":${deep}}`],
        [`/articles/${id}/notes`, `{"text":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`],
      ]) {
        const response = await http.request('POST', path, { token: reporter, rawBody });
        expect({ path, status: response.status, type: response.body.type }).toEqual({ path, status: 400, type: expect.stringContaining('too-deeply-nested') });
        expect(response.body.errors).toEqual([{ field: 'body', message: response.body.detail }]);
      }
    });

    it('400: a URL that is not valid percent-encoding, listing the URL as what is wrong', async () => {
      const response = await http.get('/articles/%', { token: editor });
      expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({ status: 400, type: expect.stringMatching(/^application\/problem\+json/) });
      expect(response.body.errors).toEqual([{ field: 'url', message: response.body.detail }]);
    });

    it('401: no token, a forged signature, an expired token, a token without roles', async () => {
      const none = await http.post(`/articles/${id}/submit`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      const forged = jwt.sign({ sub: 'alice', name: 'Alice Chen', roles: ['editor'] }, 'not-the-secret', { algorithm: 'HS256', expiresIn: '1h' });
      expect((await http.post(`/articles/${id}/approve`, undefined, { token: forged })).status).toBe(401);
      const expired = staffToken('alice', 'Alice Chen', ['reporter'], { expiresIn: -10 });
      expect((await http.post(`/articles/${id}/submit`, undefined, { token: expired })).status).toBe(401);
      const noRoles = jwt.sign({ sub: 'alice', name: 'Alice Chen' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
      expect((await http.get(`/articles/${id}`, { token: noRoles })).status).toBe(401);
      const unsigned = jwt.sign({ sub: 'alice', name: 'Alice Chen', roles: ['editor'] }, '', { algorithm: 'none' });
      expect((await http.post(`/articles/${id}/approve`, undefined, { token: unsigned })).status).toBe(401);
    });

    it('403: a role the route does not allow, and a reporter who is not the author', async () => {
      const wrongRole = await http.post('/articles', seedDraft(), { token: factChecker });
      expect(wrongRole.status).toBe(403);
      expect(wrongRole.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(wrongRole.body.type).toBe('https://newsroom.dev/problems/forbidden');
      expect((await http.post(`/articles/${id}/approve`, undefined, { token: reporter })).status).toBe(403);
      expect((await http.post(`/articles/${id}/publish`, {}, { token: admin })).status).toBe(403);
      const notAuthor = await http.post(`/articles/${id}/submit`, undefined, { token: otherReporter });
      expect(notAuthor.status).toBe(403);
      expect(notAuthor.body.type).toContain('not-author');
      expect((await http.patch(`/articles/${id}`, { body: 'Rewritten.' }, { token: otherReporter })).status).toBe(403);
    });

    it('400: blank is blank however it is spelled (zero-width characters), and control characters are refused', async () => {
      // Validation comes before the workflow: the fixture draft is enough to see the 400.
      const invisible = await http.post(`/articles/${id}/publish`, { overrideReason: '\u200b\u2060 ' }, { token: editor });
      expect({ status: invisible.status, errors: invisible.body.errors }).toEqual({ status: 400, errors: [{ field: 'overrideReason', message: 'overrideReason must not be blank' }] });
      const control = await http.post('/articles', { ...seedDraft(), headline: 'Bell\u0007 rings' }, { token: reporter });
      expect({ status: control.status, fields: control.body.errors?.map((error: { field: string }) => error.field) }).toEqual({ status: 400, fields: ['headline'] });
    });

    it('400: lists at most 100 problems, and says how many there were', async () => {
      const unknown = Object.fromEntries(Array.from({ length: 5000 }, (_, index) => [`field${index}`, 1]));
      const flood = await http.post(`/articles/${id}/notes`, { text: 'x', ...unknown }, { token: reporter });
      expect({ status: flood.status, listed: flood.body.errors?.length }).toEqual({ status: 400, listed: 100 });
      expect(flood.body.detail).toContain('5000 problems');
    });

    it('404: an unknown article, a malformed id, an unknown claim, a version it never had', async () => {
      const unknown = await http.post('/articles/01a21ec9-1c93-73f8-be7e-c7f68e03b647/submit', undefined, { token: reporter });
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      // Not 412: there is no version to mismatch when the article does not exist.
      const unknownIfMatch = await http.post('/articles/01a21ec9-1c93-73f8-be7e-c7f68e03b647/submit', undefined, {
        token: reporter,
        headers: { 'if-match': '"1"' },
      });
      expect(unknownIfMatch.status).toBe(404);
      expect(unknownIfMatch.body.type).toContain('not-found');
      expect((await http.get('/articles/not-a-uuid', { token: editor })).status).toBe(404);
      expect((await http.get('/articles/01a21ec9-1c93-73f8-be7e-c7f68e03b647/history', { token: editor })).status).toBe(404);
      const claim = await http.post(`/articles/${id}/claims/01a21ec9-1c93-73f8-be7e-c7f68e03b647/verdict`, {
        rating: 'true',
        explanation: 'x',
        sources: [],
      }, { token: factChecker });
      expect(claim.status).toBe(404);
      expect((await http.get(`/articles/${id}?version=99`, { token: editor })).status).toBe(404);
      expect((await http.get('/no-such-route', { token: editor })).status).toBe(404);
    });

    it('409: a transition the workflow does not allow', async () => {
      const response = await http.post(`/articles/${id}/approve`, undefined, { token: editor });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ status: 409, currentStatus: 'draft', type: expect.stringContaining('invalid-transition') });
      expect((await http.post(`/articles/${id}/retract`, { reason: 'x' }, { token: editor })).status).toBe(409);
      expect((await http.post(`/articles/${id}/corrections`, { kind: 'correction', text: 'x' }, { token: editor })).status).toBe(409);
    });

    it('412: If-Match names a version the article is not at', async () => {
      const response = await http.post(`/articles/${id}/submit`, undefined, {
        token: reporter,
        headers: { 'if-match': `"${version + 5}"` },
      });
      expect(response.status).toBe(412);
      expect(response.body).toMatchObject({ status: 412, currentVersion: version });
    });

    it('413: a body over the limit', async () => {
      const response = await http.post('/articles', { ...seedDraft(), body: 'x'.repeat(1_100_000) }, { token: reporter });
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });
  });

  // Many clients send Content-Type: application/json with no body on bodiless POSTs.
  it('takes an empty JSON body as no body on submit, approve and publish', async () => {
    const id = await draft();
    const empty = (path: string, token: string) =>
      http.request('POST', `/articles/${id}${path}`, { token, rawBody: '', headers: { 'content-type': 'application/json' } });
    const submitted = await empty('/submit', reporter);
    expect({ status: submitted.status, body: submitted.body }).toEqual({ status: 200, body: expect.objectContaining({ version: 2 }) });
    expect((await empty('/approve', editor)).status).toBe(200);
    const published = await empty('/publish', editor);
    expect({ status: published.status, body: published.body }).toEqual({ status: 200, body: expect.objectContaining({ version: 4 }) });
    // A write that needs a body still says which fields are missing.
    const note = await empty('/notes', editor);
    expect(note.status).toBe(400);
    expect(note.body.errors).toEqual([expect.objectContaining({ field: 'text' })]);
  });

  it('accepts a write whose If-Match names the current version', async () => {
    const id = await draft();
    const response = await http.post(`/articles/${id}/submit`, undefined, { token: reporter, headers: { 'if-match': '"1"' } });
    expect(response.status).toBe(200);
    expect(response.body.version).toBe(2);
  });

  it('lets exactly one of many concurrent writes with the same If-Match win; the others get 412', async () => {
    // Most losers see version 2 when they read; the race between a read and an append itself is
    // pinned in src/articles/article-stream.int.spec.ts.
    const id = await draft();
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        http.post(`/articles/${id}/notes`, { text: `Note ${i}` }, { token: editor, headers: { 'if-match': '"1"' } }),
      ),
    );
    const statuses = attempts.map((attempt) => attempt.status).sort();
    expect(statuses).toEqual([201, ...Array(11).fill(412)]);
    const history = await http.get(`/articles/${id}/history`, { token: editor });
    expect(history.body.events.map((event: { type: string }) => event.type)).toEqual(['ArticleDrafted', 'EditorialNoteAdded']);
  });
});
