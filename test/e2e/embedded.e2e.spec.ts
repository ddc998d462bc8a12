import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { freePort } from '#libs/testing';
import { INSECURE_DEV_SECRET } from '../../src/config/app-config.js';
import { ApiProcess } from '../support/api-process.js';
import { seedStory } from '../support/seed-story.js';

/**
 * The embedded default, as `npm start` runs on a fresh machine: no DATABASE_URL, no KAFKA_BROKERS,
 * PGlite in a data folder, projections fed from the store, and the seed story as a live demo.
 */
describe('the embedded default', () => {
  let dataDir: string;
  let service: ApiProcess | undefined;
  let secondStoryPosition = 0;
  const editor = jwt.sign({ sub: 'erin', name: 'Erin Walsh', roles: ['editor', 'reporter'] }, INSECURE_DEV_SECRET, { algorithm: 'HS256', expiresIn: '1h' });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'newsroom-embedded-'));
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  const start = () => ApiProcess.start({ EMBEDDED_DATA_DIR: dataDir, PROJECTION_POLL_MS: '20', READ_WAIT_TIMEOUT_MS: '15000' }, ['--with-workers']);

  async function feedItems(url: string, until: (items: { headline: string; slug: string }[]) => boolean) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { items } = (await (await fetch(`${url}/feed`)).json()) as { items: { headline: string; slug: string }[] };
      if (until(items) || Date.now() > deadline) return items;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('starts on embedded PostgreSQL with the seed story published as a demo', async () => {
    service = await start();
    // Where it listens (the very URL it answers on) and how to get a token.
    expect(service.logs).toContain(`Newsroom listening on ${service.url} (embedded PostgreSQL, projections from the store, workers in this process)`);
    expect(service.logs).toMatch(/npm run -s token -- --sub alice/);

    const items = await feedItems(service.url, (candidates) => candidates.length > 0);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ headline: seedStory.headline, section: seedStory.section, tags: seedStory.tags });

    const story = (await (await fetch(`${service.url}/public/articles/${items[0].slug}`)).json()) as { claimReviews: unknown[]; body: string };
    expect(story.claimReviews).toHaveLength(seedStory.claims.length);
    expect(story.body).toContain('Washington, D.C.');

    // The same code as with a server: staff can write, with the development secret.
    const drafted = await fetch(`${service.url}/articles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ headline: 'A second story', body: 'Written on the embedded database.', section: 'local' }),
    });
    expect(drafted.status).toBe(201);
    secondStoryPosition = ((await drafted.json()) as { position: number }).position;
  });

  it('keeps its data across a restart and loads the demo only once', async () => {
    service = await start();
    const items = await feedItems(service.url, (candidates) => candidates.length > 0);
    expect(items.map((item) => item.headline)).toEqual([seedStory.headline]);
    // The board may not have applied the second story before the stop: its projection catches up now.
    const boardAnswer = await fetch(`${service.url}/board`, { headers: { authorization: `Bearer ${editor}`, 'x-min-position': String(secondStoryPosition) } });
    expect(boardAnswer.headers.get('x-min-position-reached')).toBe('true');
    const board = (await boardAnswer.json()) as { items: { headline: string }[] };
    expect(board.items.map((item) => item.headline).sort()).toEqual(['A second story', seedStory.headline].sort());
  });

  /** `npm run projections:rebuild -- NAME`, on the given folder and PORT. */
  const runRebuildScript = (name: string, env: Record<string, string>) =>
    promisify(execFile)(
      process.execPath,
      ['--import', './test/support/register-typescript.mjs', 'scripts/rebuild-projection.ts', name],
      { cwd: fileURLToPath(new URL('../../', import.meta.url)), env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env } },
    );
  const rebuildScript = async (name: string, env: Record<string, string>): Promise<{ projection: string; eventsRead: number }> =>
    JSON.parse((await runRebuildScript(name, env)).stdout);

  it('rebuilds through the service that holds the folder, whatever PORT the script is given', async () => {
    service = await start();
    await feedItems(service.url, (candidates) => candidates.length > 0);
    const otherFolder = await mkdtemp(join(tmpdir(), 'newsroom-embedded-other-'));
    try {
      // The running service holds dataDir: the script asks it, at the address it wrote there.
      const throughService = await rebuildScript('public-feed', { EMBEDDED_DATA_DIR: dataDir, PORT: String(await freePort()) });
      expect(throughService).toMatchObject({ projection: 'public-feed' });
      expect(throughService.eventsRead).toBeGreaterThan(0);
      // Another folder, with the running service's port: the script opens that folder, not the service.
      const own = await rebuildScript('public-feed', { EMBEDDED_DATA_DIR: otherFolder, PORT: new URL(service.url).port });
      expect(own).toMatchObject({ projection: 'public-feed', eventsRead: 0 });
      // With another secret than the service's: refused, in one line that says what to do.
      const refused = await runRebuildScript('public-feed', { EMBEDDED_DATA_DIR: dataDir, JWT_SECRET: 'not-the-service-secret-0123456789abcdef' }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim()).toMatch(/^the service at http:\/\/127\.0\.0\.1:\d+ refused the token \(401\): run this with the JWT_SECRET the service has$/);
    } finally {
      await rm(otherFolder, { recursive: true, force: true });
    }
    const feed = (await (await fetch(`${service.url}/feed`)).json()) as { items: { headline: string }[] };
    expect(feed.items.map((item) => item.headline)).toEqual([seedStory.headline]);
    // A service and three runs of the script, each compiling it and one opening a folder of its own:
    // about 40 s on a quiet 2-core machine, far more beside the rest of the suite.
  }, 180_000);
});
