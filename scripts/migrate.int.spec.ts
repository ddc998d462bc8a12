import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#libs/testing';

const root = fileURLToPath(new URL('../', import.meta.url));

/** `npm run migrate`, as a deployment with RUN_MIGRATIONS=false runs it before the service starts. */
describe('npm run migrate (PostgreSQL)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.drop());

  const migrate = (env: Record<string, string>) =>
    promisify(execFile)(process.execPath, ['--import', './test/support/register-typescript.mjs', 'scripts/migrate.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    });

  it('applies every migration once, then finds nothing to apply', async () => {
    const first = await migrate({ DATABASE_URL: database.url });
    expect(first.stdout).toMatch(/^applied: CreateEventStore\d+/);
    expect((await migrate({ DATABASE_URL: database.url })).stdout).toBe('nothing to apply: the schema is current\n');

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT to_regclass('events') AS events, to_regclass('public_feed') AS feed`);
      expect(rows).toEqual([{ events: 'events', feed: 'public_feed' }]);
    } finally {
      await client.end();
    }
  });

  it('refuses to run without DATABASE_URL, naming it', async () => {
    await expect(migrate({})).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('DATABASE_URL: required') });
  });
});
