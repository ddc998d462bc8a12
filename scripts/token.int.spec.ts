import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { createTestDatabase, type TestDatabase } from '#libs/testing';
import { INSECURE_DEV_SECRET } from '../src/config/app-config.js';
import { seedStory } from '../test/support/seed-story.js';
import { httpClient, startTestApp, TEST_JWT_SECRET, type TestApp } from '../test/support/test-app.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** `npm run token -- --sub alice --name "Alice Chen" --roles reporter,editor`: the one line it prints. */
async function printToken(env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', './test/support/register-typescript.mjs', 'scripts/token.ts', '--sub', 'alice', '--name', 'Alice Chen', '--roles', 'reporter,editor'],
    { cwd: root, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env } },
  );
  // Only the token, so `TOKEN=$(npm run -s token -- ...)` works.
  expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  return stdout.trim();
}

const draftBody = { headline: seedStory.headline, body: seedStory.body, section: seedStory.section, tags: seedStory.tags };

/** The token a developer prints is one the service takes: same secret, same algorithm, the claims it reads. */
describe('npm run token', () => {
  let database: TestDatabase;
  let app: TestApp;
  /** Started without JWT_SECRET (an empty value is no value), as `npm start` on a fresh machine. */
  let devApp: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One after the other: both would migrate the shared database.
    app = await startTestApp({ database });
    devApp = await startTestApp({ database, env: { JWT_SECRET: '' } });
  });
  afterAll(async () => {
    await devApp?.close();
    await app?.close();
    await database?.drop();
  });

  it('signs with JWT_SECRET, HS256, the sub, name, roles and exp the guard reads', async () => {
    const token = await printToken({ JWT_SECRET: TEST_JWT_SECRET });
    const { header, payload } = jwt.verify(token, TEST_JWT_SECRET, { algorithms: ['HS256'], complete: true }) as jwt.Jwt & { payload: jwt.JwtPayload };
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'alice', name: 'Alice Chen', roles: ['reporter', 'editor'], exp: expect.any(Number) });
    // The default lifetime: 12 hours, well inside the service's 30 days.
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
  });

  it('drafts a story on a service with the same JWT_SECRET, as Alice Chen with both roles', async () => {
    const http = httpClient(app.url);
    const token = await printToken({ JWT_SECRET: TEST_JWT_SECRET });
    const drafted = await http.post('/articles', draftBody, { token });
    expect({ status: drafted.status, body: drafted.body }).toMatchObject({ status: 201, body: { id: expect.any(String) } });

    const history = await http.get(`/articles/${drafted.body.id}/history`, { token });
    expect(history.body.events[0]).toMatchObject({ type: 'ArticleDrafted', actor: { sub: 'alice', name: 'Alice Chen', roles: ['reporter', 'editor'] } });
  });

  it('prints a token the service refuses (401 problem+json) when JWT_SECRET is not the service\'s', async () => {
    const token = await printToken({ JWT_SECRET: 'not-the-service-secret-0123456789abcdef' });
    const refused = await httpClient(app.url).post('/articles', draftBody, { token });
    expect({ status: refused.status, detail: refused.body?.detail }).toMatchObject({ status: 401 });
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 401, type: expect.any(String), title: expect.any(String) });
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('without JWT_SECRET signs with the development secret, which only a service without one takes', async () => {
    expect(devApp.config.auth).toEqual({ jwtSecret: INSECURE_DEV_SECRET, insecureSecret: true });
    const token = await printToken({});
    expect(() => jwt.verify(token, INSECURE_DEV_SECRET, { algorithms: ['HS256'] })).not.toThrow();

    expect((await httpClient(devApp.url).post('/articles', draftBody, { token })).status).toBe(201);
    // A service with a real secret does not take the public development one.
    expect((await httpClient(app.url).post('/articles', draftBody, { token })).status).toBe(401);
  });
});
