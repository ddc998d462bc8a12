import { Validator as OpenApiValidator } from '@seriousme/openapi-schema-validator';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { MIN_POSITION_PATTERN } from '#libs/http';
import { createTestDatabase, type TestDatabase } from '#libs/testing';
import { ARTICLE_LIMITS } from '../../src/articles/index.js';
import { ApiProcess } from '../support/api-process.js';
import { after, TOKENS, workflow, type Write } from '../support/workflow.js';
import { httpClient, startTestApp, TEST_JWT_SECRET, type HttpResult, type TestApp } from '../support/test-app.js';

// ajv-formats is CommonJS: under Node's ESM the default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

/**
 * The routes of the public contract, copied by hand from DESIGN.md ("Staff endpoints", "Public
 * endpoints", "Operations"), not derived from the code: the OpenAPI document must list exactly
 * these, so a route added, renamed or dropped in the code without the contract fails here.
 */
const STAFF_ROUTES = [
  'POST /articles',
  'PATCH /articles/{id}',
  'POST /articles/{id}/submit',
  'POST /articles/{id}/request-changes',
  'POST /articles/{id}/approve',
  'POST /articles/{id}/claims',
  'POST /articles/{id}/claims/{claimId}/verdict',
  'POST /articles/{id}/publish',
  'POST /articles/{id}/schedule',
  'POST /articles/{id}/corrections',
  'POST /articles/{id}/retract',
  'POST /articles/{id}/notes',
  'POST /articles/{id}/assign',
  'GET /articles/{id}',
  'GET /articles/{id}/history',
  'GET /articles/{id}/diff',
  'GET /board',
  'GET /fact-checks/queue',
];

const PUBLIC_ROUTES = [
  'GET /feed',
  'GET /feed.json',
  'GET /feed.rss',
  'GET /feed.atom',
  'GET /public/articles/{slug}',
  'POST /public/articles/{id}/reactions',
  'DELETE /public/articles/{id}/reactions',
];

const OPERATIONS_ROUTES = ['GET /health', 'GET /health/ready', 'GET /metrics', 'POST /admin/projections/{name}/rebuild'];

/**
 * Beyond the contract's list, and documented as such (docs/operations.md): the admin's view of
 * the projections that goes with the rebuild endpoint. Admin only.
 */
const DOCUMENTED_EXTRAS = ['GET /admin/projections'];

const ADMIN_ROUTES = ['POST /admin/projections/{name}/rebuild', 'GET /admin/projections'];

/** Request bodies of the contract, with the fields it marks as required. */
const REQUEST_BODIES: Record<string, { fields: string[]; required: string[] }> = {
  'POST /articles': { fields: ['headline', 'body', 'standfirst', 'section', 'tags'], required: ['headline', 'body', 'section'] },
  'PATCH /articles/{id}': { fields: ['headline', 'standfirst', 'body', 'section', 'tags'], required: [] },
  'POST /articles/{id}/request-changes': { fields: ['reason'], required: ['reason'] },
  'POST /articles/{id}/claims': { fields: ['text', 'quote'], required: ['text'] },
  'POST /articles/{id}/claims/{claimId}/verdict': { fields: ['rating', 'explanation', 'sources'], required: ['rating', 'explanation', 'sources'] },
  'POST /articles/{id}/publish': { fields: ['overrideReason'], required: [] },
  'POST /articles/{id}/schedule': { fields: ['publishAt'], required: ['publishAt'] },
  'POST /articles/{id}/corrections': { fields: ['kind', 'text'], required: ['kind', 'text'] },
  'POST /articles/{id}/retract': { fields: ['reason'], required: ['reason'] },
  'POST /articles/{id}/notes': { fields: ['text'], required: ['text'] },
  'POST /articles/{id}/assign': { fields: ['userId', 'as'], required: ['userId', 'as'] },
  'POST /public/articles/{id}/reactions': { fields: ['kind'], required: ['kind'] },
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }>; headers?: Record<string, unknown> }>;
}

/** Public reads answered through sendWithValidators: ETag, Last-Modified, 304. */
const CONDITIONAL_READS = ['GET /feed', 'GET /feed.json', 'GET /feed.rss', 'GET /feed.atom', 'GET /public/articles/{slug}'];

/** Response headers a spec checks are declared wherever the service sends them. */
const CHECKED_HEADERS = ['etag', 'last-modified', 'location', 'x-min-position-reached', 'retry-after'];

const SCHEMA_REF = '#/components/schemas/';

/**
 * An OpenAPI 3.1 schema (JSON Schema) for ajv: refs point into the document's components (added to
 * ajv as `openapi`), examples go. An object that lists its properties takes no others, so an answer
 * field the document does not name fails validation.
 */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const { example: _example, ...rest } = schema as Record<string, unknown>;
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === '$ref') converted.$ref = `openapi#/definitions/${(value as string).replace(SCHEMA_REF, '')}`;
    else if (key === 'properties') converted.properties = Object.fromEntries(Object.entries(value as object).map(([name, property]) => [name, toJsonSchema(property)]));
    else if (key === 'enum') converted.enum = value;
    else converted[key] = toJsonSchema(value);
  }
  if (converted.properties !== undefined && converted.additionalProperties === undefined) converted.additionalProperties = false;
  return converted;
}

describe('OpenAPI document (GET /docs/openapi.json)', () => {
  let api: TestApp;
  let document: any;
  let operations: Map<string, Operation>;

  beforeAll(async () => {
    // With the projections, so that the reads below answer from read models that have data.
    api = await startTestApp({ workers: true, env: { PROJECTION_POLL_MS: '20' } });
    const answer = await httpClient(api.url).get('/docs/openapi.json');
    expect(answer.status).toBe(200);
    document = answer.body;
    operations = new Map();
    for (const [path, item] of Object.entries<Record<string, Operation>>(document.paths)) {
      for (const method of METHODS) if (item[method]) operations.set(`${method.toUpperCase()} ${path}`, item[method]);
    }
  });
  afterAll(() => api?.close());

  const schemaOf = (ref: string | undefined) => document.components.schemas[ref!.replace('#/components/schemas/', '')];

  it('is a valid OpenAPI 3.1 document, its schemas plain JSON Schema (null as a type, not 3.0\'s nullable)', async () => {
    expect(document.openapi).toBe('3.1.0');
    const validity = await new OpenApiValidator().validate(structuredClone(document));
    expect(validity.errors).toBeUndefined();
    expect(validity.valid).toBe(true);
    expect(JSON.stringify(document)).not.toContain('"nullable"');
  });

  it('lists every route of the contract and nothing else', () => {
    const documented = [...operations.keys()].filter((route) => !/ \/docs(\/|$)/.test(route)).sort();
    const contract = [...STAFF_ROUTES, ...PUBLIC_ROUTES, ...OPERATIONS_ROUTES, ...DOCUMENTED_EXTRAS].sort();
    expect(documented.filter((route) => !contract.includes(route))).toEqual([]); // nothing undocumented in the contract
    expect(contract.filter((route) => !documented.includes(route))).toEqual([]); // nothing missing
  });

  it('asks for a bearer token on staff and admin routes, and on no other', () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const needsToken = new Set([...STAFF_ROUTES, ...ADMIN_ROUTES]);
    for (const [route, operation] of operations) {
      const bearer = (operation.security ?? []).some((requirement) => 'bearer' in requirement);
      expect({ route, bearer }).toEqual({ route, bearer: needsToken.has(route) });
    }
  });

  it('documents 401 and 403 on staff routes, as problem+json with the shared schema', () => {
    for (const route of [...STAFF_ROUTES, ...ADMIN_ROUTES]) {
      for (const status of ['401', '403']) {
        const content = operations.get(route)!.responses[status]?.content;
        expect({ route, status, ref: content?.['application/problem+json']?.schema.$ref }).toEqual({
          route,
          status,
          ref: '#/components/schemas/ProblemDetailsSchema',
        });
      }
    }
  });

  it('documents 503 (database unreachable) as problem+json on every route, and keeps readiness its own 503', () => {
    for (const [route, operation] of operations) {
      if (route === 'GET /health/ready') continue;
      const ref = operation.responses['503']?.content?.['application/problem+json']?.schema.$ref;
      expect({ route, ref }).toEqual({ route, ref: '#/components/schemas/ProblemDetailsSchema' });
    }
    expect(Object.keys(operations.get('GET /health/ready')!.responses['503']?.content ?? {})).toEqual(['application/json']);
  });

  it('describes errors with one ProblemDetails schema (RFC 9457), and only as application/problem+json', () => {
    const problem = document.components.schemas.ProblemDetailsSchema;
    expect(Object.keys(problem.properties)).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'errors']));
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status']));
    let errorResponses = 0;
    for (const [route, operation] of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400 || route.startsWith('GET /health')) continue;
        errorResponses++;
        // A retracted story's notice is a page to a client that prefers HTML (docs/architecture.md).
        const htmlNotice = route === 'GET /public/articles/{slug}' && status === '410';
        const types = Object.keys(response.content ?? {}).filter((type) => !(htmlNotice && type === 'text/html'));
        expect({ route, status, types }).toEqual({ route, status, types: ['application/problem+json'] });
      }
    }
    expect(errorResponses).toBeGreaterThan(50);
    // Every write refuses bad input with a 400 listing the fields.
    for (const route of Object.keys(REQUEST_BODIES)) expect({ route, has400: '400' in operations.get(route)!.responses }).toEqual({ route, has400: true });
  });

  it('takes request bodies from the DTOs, with the fields the contract names', () => {
    for (const [route, { fields, required }] of Object.entries(REQUEST_BODIES)) {
      const body = operations.get(route)!.requestBody;
      const schema = schemaOf(body?.content['application/json']?.schema.$ref);
      expect({ route, fields: Object.keys(schema?.properties ?? {}).filter((field) => fields.includes(field)).sort() }).toEqual({
        route,
        fields: [...fields].sort(),
      });
      expect({ route, required: [...(schema.required ?? [])].sort() }).toEqual({ route, required: [...required].sort() });
    }
    expect(schemaOf(operations.get('POST /articles/{id}/claims/{claimId}/verdict')!.requestBody!.content['application/json'].schema.$ref).properties.rating.enum)
      .toEqual(['true', 'mostly_true', 'half_true', 'mostly_false', 'false', 'unverifiable']);
    expect(schemaOf(operations.get('POST /public/articles/{id}/reactions')!.requestBody!.content['application/json'].schema.$ref).properties.kind.enum)
      .toEqual(['like', 'dislike', 'love', 'funny', 'angry', 'sad', 'wow']);
  });

  it('declares every path parameter, and the headers the contract names', () => {
    for (const [route, operation] of operations) {
      const inPath = [...route.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name).sort();
      expect({ route, declared }).toEqual({ route, declared: inPath });
    }
    const header = (route: string, name: string) =>
      operations.get(route)!.parameters?.find((parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === name.toLowerCase());
    // Every write on an article takes If-Match, the draft too (where any value is a 412).
    for (const route of STAFF_ROUTES.filter((candidate) => /^(POST|PATCH) \/articles/.test(candidate))) {
      expect({ route, ifMatch: header(route, 'If-Match') }).toEqual({ route, ifMatch: expect.objectContaining({ required: false }) });
    }
    // X-Min-Position, wherever it is taken, with the form the service checks.
    const minPositionRoutes = [...operations.keys()].filter((route) => header(route, 'X-Min-Position') !== undefined);
    expect(minPositionRoutes).toEqual(expect.arrayContaining(['GET /board', 'GET /feed', 'GET /articles/{id}']));
    for (const route of minPositionRoutes) {
      expect({ route, schema: header(route, 'X-Min-Position')!.schema }).toEqual({ route, schema: { type: 'string', pattern: MIN_POSITION_PATTERN } });
    }
    const version = operations.get('GET /articles/{id}')!.parameters!.find((parameter) => parameter.in === 'query' && parameter.name === 'version');
    expect(version?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 2_147_483_647 });
    expect(header('POST /public/articles/{id}/reactions', 'X-Reader-Id')).toMatchObject({ required: true });
    expect(header('DELETE /public/articles/{id}/reactions', 'X-Reader-Id')).toMatchObject({ required: true });
  });

  it('declares on every GET a 200 with content and a schema for each media type', () => {
    for (const [route, operation] of operations) {
      if (!route.startsWith('GET ') || / \/docs(\/|$)/.test(route)) continue;
      const content = operation.responses['200']?.content ?? {};
      expect({ route, mediaTypes: Object.keys(content).length > 0 }).toEqual({ route, mediaTypes: true });
      for (const [mediaType, { schema }] of Object.entries(content)) expect({ route, mediaType, schema: schema !== undefined }).toEqual({ route, mediaType, schema: true });
    }
    const mediaTypes = (route: string) => Object.keys(operations.get(route)!.responses['200'].content!).sort();
    expect(mediaTypes('GET /feed.json')).toEqual(['application/feed+json']);
    expect(mediaTypes('GET /feed.rss')).toEqual(['application/rss+xml']);
    expect(mediaTypes('GET /feed.atom')).toEqual(['application/atom+xml']);
    expect(mediaTypes('GET /public/articles/{slug}')).toEqual(['application/json', 'text/html']);
  });

  it('declares ETag on article answers, and ETag, Last-Modified and 304 on the conditional public reads', () => {
    const headersOf = (route: string, status: string) => Object.keys(operations.get(route)!.responses[status]?.headers ?? {});
    for (const route of [...STAFF_ROUTES.filter((route) => route.includes('/articles')), 'GET /articles/{id}/diff']) {
      const status = route === 'POST /articles' || ['/claims', '/corrections', '/notes'].some((end) => route.endsWith(end)) ? '201' : '200';
      expect({ route, headers: headersOf(route, status) }).toEqual({ route, headers: expect.arrayContaining(['ETag']) });
    }
    for (const route of CONDITIONAL_READS) {
      expect({ route, headers: headersOf(route, '200') }).toEqual({ route, headers: expect.arrayContaining(['ETag', 'Last-Modified']) });
      expect({ route, headers: headersOf(route, '304') }).toEqual({ route, headers: expect.arrayContaining(['ETag', 'Last-Modified']) });
    }
  });

  it('declares 415 on every operation that takes a body', () => {
    const withBody = [...operations].filter(([, operation]) => operation.requestBody !== undefined).map(([route]) => route);
    expect(withBody).toEqual(expect.arrayContaining([...Object.keys(REQUEST_BODIES), 'POST /articles/{id}/submit', 'POST /articles/{id}/approve']));
    for (const route of withBody) expect({ route, has415: '415' in operations.get(route)!.responses }).toEqual({ route, has415: true });
  });

  it('lists the limits of each list item: tags and verdict sources', () => {
    const bodySchema = (route: string) => schemaOf(operations.get(route)!.requestBody!.content['application/json'].schema.$ref);
    for (const route of ['POST /articles', 'PATCH /articles/{id}']) {
      expect(bodySchema(route).properties.tags).toMatchObject({ maxItems: ARTICLE_LIMITS.tags, items: { type: 'string', maxLength: ARTICLE_LIMITS.tag } });
    }
    expect(bodySchema('POST /articles/{id}/claims/{claimId}/verdict').properties.sources).toMatchObject({
      maxItems: ARTICLE_LIMITS.sources,
      items: { type: 'string', format: 'uri', maxLength: ARTICLE_LIMITS.sourceUrl },
    });
  });

  /**
   * Real answers against the schemas the document declares for them: the status, the media type
   * and the body (no field the schema does not name, none it requires missing), and every header
   * of CHECKED_HEADERS the service sent.
   */
  describe('real answers match the document', () => {
    let http: ReturnType<typeof httpClient>;
    let validatorOf: (schema: unknown) => ValidateFunction;
    const answered = new Set<string>();
    let published: { id: string; slug: string; last: Write };
    let sentBack: { id: string; last: Write };

    const expectDocumented = (route: string, answer: HttpResult) => {
      answered.add(route);
      const response = operations.get(route)?.responses[String(answer.status)];
      expect({ route, status: answer.status, documented: response !== undefined }).toEqual({ route, status: answer.status, documented: true });
      const declaredHeaders = Object.keys(response!.headers ?? {}).map((name) => name.toLowerCase());
      const sent = CHECKED_HEADERS.filter((name) => answer.headers.has(name));
      expect({ route, undeclared: sent.filter((name) => !declaredHeaders.includes(name)) }).toEqual({ route, undeclared: [] });
      if (answer.status === 304) return;
      const mediaType = answer.headers.get('content-type')!.split(';')[0].trim();
      const schema = response!.content?.[mediaType]?.schema;
      expect({ route, mediaType, documented: schema !== undefined }).toEqual({ route, mediaType, documented: true });
      const validate = validatorOf(schema);
      const body = /json/.test(mediaType) ? JSON.parse(answer.text) : answer.text;
      expect({ route, errors: validate(body) ? null : validate.errors }).toEqual({ route, errors: null });
    };

    beforeAll(async () => {
      const ajv = addFormats(new Ajv({ allErrors: true, strict: true, strictTypes: false }));
      ajv.addSchema({ $id: 'openapi', definitions: toJsonSchema(document.components.schemas) as object });
      validatorOf = (schema) => ajv.compile(toJsonSchema(schema) as object);
      http = httpClient(api.url);
      const steps = workflow(http);

      // Published past the gate (an unverifiable claim: a ClaimReview without ratingValue), then corrected.
      const story = await steps.publishedStory({ standfirst: 'The leaders spoke for an hour.', tags: ['china', 'taiwan'] }, ['true', 'unverifiable']);
      await steps.assign(story.id, 'bob', 'reporter', 'Bob Osei');
      await steps.note(story.id);
      const corrected = await steps.correct(story.id, 'An earlier version misdated the call.');
      const slug = (await http.get(`/articles/${story.id}`, { token: TOKENS.editor })).body.slug;
      published = { id: story.id, slug, last: corrected };

      // Sent back with one claim unrated and one rated false, then revised: nulls, gate problems, a diff.
      const { id } = await steps.draft({ headline: 'Talks resume' });
      const unrated = await steps.claim(id, 'The talks lasted three hours.');
      const flagged = await steps.claim(id, 'Both sides signed an accord.', 'An accord was signed.');
      await steps.verdict(id, flagged.claimId, 'false');
      await steps.submit(id);
      await http.post(`/articles/${id}/request-changes`, { reason: 'Source the accord.' }, { token: TOKENS.editor });
      const revised = await steps.revise(id, { headline: 'Talks resume in Beijing', body: 'They met again.' });
      expect(unrated.claimId).toBeDefined();
      sentBack = { id, last: revised };
    });

    it('the writes', async () => {
      const drafted = await http.post('/articles', { headline: 'A draft', body: 'Text.', section: 'world', tags: ['x'] }, { token: TOKENS.reporter });
      expectDocumented('POST /articles', drafted);
      const { id } = drafted.body;
      expectDocumented('POST /articles/{id}/claims', await http.post(`/articles/${id}/claims`, { text: 'A claim.' }, { token: TOKENS.reporter }));
      expectDocumented('POST /articles/{id}/notes', await http.post(`/articles/${id}/notes`, { text: 'A note.' }, { token: TOKENS.editor }));
      expectDocumented('PATCH /articles/{id}', await http.patch(`/articles/${id}`, { standfirst: 'Now with a standfirst.' }, { token: TOKENS.reporter }));
      expectDocumented('POST /articles/{id}/submit', await http.post(`/articles/${id}/submit`, {}, { token: TOKENS.reporter }));
      expectDocumented('POST /articles/{id}/approve', await http.post(`/articles/${id}/approve`, undefined, { token: TOKENS.editor }));
      const gated = await http.post(`/articles/${id}/publish`, {}, { token: TOKENS.editor });
      expect(gated.body).toMatchObject({ status: 409, currentStatus: 'approved', problems: [{ problem: 'unrated' }] });
      expectDocumented('POST /articles/{id}/publish', gated);
      expectDocumented(
        'POST /articles/{id}/corrections',
        await http.post(`/articles/${published.id}/corrections`, { kind: 'clarification', text: 'The call was by video.' }, { token: TOKENS.editor }),
      );
    });

    it('the staff reads', async () => {
      const staff = { token: TOKENS.editor };
      for (const id of [published.id, sentBack.id]) {
        expectDocumented('GET /articles/{id}', await http.get(`/articles/${id}`, staff));
        expectDocumented('GET /articles/{id}/history', await http.get(`/articles/${id}/history`, staff));
      }
      expectDocumented('GET /articles/{id}', await http.get(`/articles/${sentBack.id}?version=1`, staff));
      const diff = await http.get(`/articles/${sentBack.id}/diff?from=1`, staff);
      expect(diff.body.changes.headline).not.toBeNull();
      expectDocumented('GET /articles/{id}/diff', diff);
      const board = await http.get('/board', { ...staff, ...after(sentBack.last) });
      expect(board.body.items.length).toBeGreaterThanOrEqual(2);
      expectDocumented('GET /board', board);
      const queue = await http.get('/fact-checks/queue', { ...staff, ...after(sentBack.last) });
      expect(queue.body.items.length).toBeGreaterThanOrEqual(1);
      expectDocumented('GET /fact-checks/queue', queue);
    });

    it('the public reads, and 304 to a current copy', async () => {
      const reads: [route: string, path: string, accept?: string][] = [
        ['GET /feed', '/feed'],
        ['GET /feed.json', '/feed.json'],
        ['GET /feed.rss', '/feed.rss'],
        ['GET /feed.atom', '/feed.atom'],
        ['GET /public/articles/{slug}', `/public/articles/${published.slug}`],
        ['GET /public/articles/{slug}', `/public/articles/${published.slug}`, 'text/html'],
      ];
      for (const [route, path, accept = '*/*'] of reads) {
        const answer = await http.get(path, { headers: { ...after(published.last).headers, accept } });
        expect({ path, accept, status: answer.status }).toEqual({ path, accept, status: 200 });
        expectDocumented(route, answer);
        const current = await http.get(path, { headers: { accept, 'if-none-match': answer.headers.get('etag')! } });
        expect({ path, accept, status: current.status }).toEqual({ path, accept, status: 304 });
        expectDocumented(route, current);
      }
      expect((await http.get('/feed', after(published.last))).body.items.some((item: { id: string }) => item.id === published.id)).toBe(true);
    });

    it('a retracted story: 410 with its notice', async () => {
      const steps = workflow(http);
      const story = await steps.publishedStory({ headline: 'A story retracted' });
      const slug = (await http.get(`/articles/${story.id}`, { token: TOKENS.editor })).body.slug;
      const retracted = await steps.retract(story.id, 'The source recanted.');
      for (const accept of ['application/json', 'text/html']) {
        const answer = await http.get(`/public/articles/${slug}`, { headers: { ...after(retracted).headers, accept } });
        expect({ accept, status: answer.status }).toEqual({ accept, status: 410 });
        expectDocumented('GET /public/articles/{slug}', answer);
      }
    });

    it('the reactions', async () => {
      const reader = { headers: { 'x-reader-id': 'reader-openapi-1' } };
      expectDocumented('POST /public/articles/{id}/reactions', await http.post(`/public/articles/${published.id}/reactions`, { kind: 'love' }, reader));
      const removed = await http.delete(`/public/articles/${published.id}/reactions`, reader);
      expect(removed.body.yourReaction).toBeNull();
      expectDocumented('DELETE /public/articles/{id}/reactions', removed);
      const notJson = await http.delete(`/public/articles/${published.id}/reactions`, { ...reader, rawBody: 'x', headers: { ...reader.headers, 'content-type': 'text/plain' } });
      expect(notJson.status).toBe(415);
      expectDocumented('DELETE /public/articles/{id}/reactions', notJson);
    });

    it('a rate-limited reaction, with Retry-After', async () => {
      const reader = { headers: { 'x-reader-id': 'reader-openapi-flood' } };
      let answer: HttpResult | undefined;
      for (let attempt = 0; attempt < 100 && answer?.status !== 429; attempt++) {
        answer = await http.post(`/public/articles/${published.id}/reactions`, { kind: attempt % 2 ? 'like' : 'wow' }, reader);
      }
      expect(answer!.status).toBe(429);
      expect(Number(answer!.headers.get('retry-after'))).toBeGreaterThan(0);
      expectDocumented('POST /public/articles/{id}/reactions', answer!);
    });

    it('the operations', async () => {
      const admin = { token: TOKENS.admin };
      expectDocumented('GET /health', await http.get('/health'));
      expectDocumented('GET /health/ready', await http.get('/health/ready'));
      expectDocumented('GET /metrics', await http.get('/metrics'));
      expectDocumented('GET /admin/projections', await http.get('/admin/projections', admin));
      expectDocumented('POST /admin/projections/{name}/rebuild', await http.post('/admin/projections/editor-board/rebuild?wait=true', undefined, admin));
      expectDocumented('POST /admin/projections/{name}/rebuild', await http.post('/admin/projections/fact-check-queue/rebuild', undefined, admin));
      const notJson = await http.post('/admin/projections/editor-board/rebuild', undefined, { ...admin, rawBody: 'x', headers: { 'content-type': 'text/plain' } });
      expect(notJson.status).toBe(415);
      expectDocumented('POST /admin/projections/{name}/rebuild', notJson);
    });

    it('covered every read of the contract', () => {
      const reads = [...operations.keys()].filter((route) => route.startsWith('GET ') && !/ \/docs(\/|$)/.test(route));
      const others = ['POST /public/articles/{id}/reactions', 'DELETE /public/articles/{id}/reactions', 'POST /admin/projections/{name}/rebuild'];
      expect([...reads, ...others].filter((route) => !answered.has(route))).toEqual([]);
    });
  });
});

/** The UI in a real Node process: jest on Node 20 cannot load @fastify/static (see src/openapi/openapi.ts). */
describe('Swagger UI (GET /docs)', () => {
  let database: TestDatabase;
  let api: ApiProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await ApiProcess.start({ DATABASE_URL: database.url, JWT_SECRET: TEST_JWT_SECRET });
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('serves the UI page, its assets and the document it shows', async () => {
    const http = httpClient(api.url);
    const page = await http.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('swagger-ui');
    const bundle = await http.get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await http.get('/docs/swagger-ui-init.js')).text).toContain('/articles/{id}/publish');
    expect((await http.get('/docs/openapi.json')).body.paths['/articles/{id}/publish']).toBeDefined();
  });
});
