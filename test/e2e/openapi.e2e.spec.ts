import { createTestDatabase, type TestDatabase } from '#libs/testing';
import { ApiProcess } from '../support/api-process.js';
import { httpClient, startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

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
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}

describe('OpenAPI document (GET /docs/openapi.json)', () => {
  let api: TestApp;
  let document: any;
  let operations: Map<string, Operation>;

  beforeAll(async () => {
    api = await startTestApp();
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
        expect({ route, status, types: Object.keys(response.content ?? {}) }).toEqual({ route, status, types: ['application/problem+json'] });
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
    expect(header('POST /articles/{id}/publish', 'If-Match')).toMatchObject({ required: false });
    expect(header('GET /board', 'X-Min-Position')).toMatchObject({ required: false });
    expect(header('POST /public/articles/{id}/reactions', 'X-Reader-Id')).toMatchObject({ required: true });
    expect(header('DELETE /public/articles/{id}/reactions', 'X-Reader-Id')).toMatchObject({ required: true });
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
