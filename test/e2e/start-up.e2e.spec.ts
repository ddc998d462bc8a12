import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, freePort, type TestDatabase } from '#libs/testing';
import { ApiProcess } from '../support/api-process.js';
import { TEST_JWT_SECRET } from '../support/test-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs an entry point (src/main.ts, src/worker.ts, scripts/*.ts) to its end: its exit code and stderr. */
async function run(file: string, env: Record<string, string>, args: string[] = []): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, ['--import', './test/support/register-typescript.mjs', file, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
      timeout: 60_000,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const { code, stderr } = error as { code: number; stderr: string };
    return { code, stderr };
  }
}

/** A refusal at start-up: exit code 1, the variable named on a line of its own, no stack. */
function expectRefusal(result: { code: number; stderr: string }, line: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(line);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('start-up refusals', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.drop());

  it('npm run start:api and start:worker refuse the embedded database, which serves only npm start', async () => {
    const [api, worker] = await Promise.all([run('src/main.ts', { DATABASE_URL: '' }), run('src/worker.ts', {})]);
    expectRefusal(api, /^Invalid configuration:\n {2}DATABASE_URL: required by npm run start:api; .*: npm start\n$/);
    expectRefusal(worker, /^Invalid configuration:\n {2}DATABASE_URL: required by npm run start:worker; .*: npm start\n$/);
  });

  it('an unknown database stops start-up at once, naming DATABASE_URL and the reason', async () => {
    const url = new URL(database.url);
    url.pathname = '/no_such_database';
    expectRefusal(await run('src/main.ts', { DATABASE_URL: url.toString() }), /DATABASE_URL: cannot connect to .*\/no_such_database: database "no_such_database" does not exist\n$/);
  });

  it('RUN_MIGRATIONS=false stops on pending migrations, naming them, and starts once npm run migrate applied them', async () => {
    const env = { DATABASE_URL: database.url, JWT_SECRET: TEST_JWT_SECRET, RUN_MIGRATIONS: 'false' };
    expectRefusal(await run('src/main.ts', env), /RUN_MIGRATIONS: false, and \d+ migration\(s\) are pending: CreateEventStore\d+, .*; run npm run migrate first/);
    expect((await run('scripts/migrate.ts', { DATABASE_URL: database.url })).code).toBe(0);
    const api = await ApiProcess.start(env);
    try {
      expect((await fetch(`${api.url}/feed`)).status).toBe(200);
    } finally {
      await api.stop();
    }
  });

  it('a WORKER_HTTP_PORT in use stops the worker, naming it', async () => {
    const port = await freePort();
    const taken: Server = await new Promise((resolve) => {
      const server = createServer().listen(port, '127.0.0.1', () => resolve(server));
    });
    try {
      const worker = await run('src/worker.ts', { DATABASE_URL: database.url, WORKER_HTTP_PORT: String(port) });
      expectRefusal(worker, new RegExp(`WORKER_HTTP_PORT: ${port} is in use on 127.0.0.1 by another process\\n$`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
