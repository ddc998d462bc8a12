import type { FastifyRequest } from 'fastify';
import { until } from '#libs/testing';
import { projectionDatabase, type ProjectionDatabase } from '../../test/support/projection-database.js';
import type { AppConfig } from '../config/app-config.js';
import { ReadModelChanges } from '../projections/read-model-changes.js';
import type { Representation } from './conditional-get.js';
import { PublicReadCache } from './public-read-cache.js';

const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as FastifyRequest;

describe('PublicReadCache (PostgreSQL)', () => {
  let db: ProjectionDatabase;
  let changes: ReadModelChanges;
  let cache: PublicReadCache;
  let builds: number;
  const build = async (): Promise<Representation> => ({ body: `page ${++builds}`, contentType: 'application/json', lastModified: null });

  beforeAll(async () => {
    db = await projectionDatabase();
    await db.dataSource.query(
      `INSERT INTO projection_checkpoints (projection) VALUES ('public-feed'), ('reaction-counts') ON CONFLICT DO NOTHING`,
    );
  });

  beforeEach(async () => {
    builds = 0;
    changes = new ReadModelChanges();
    // A poll far apart: only the first one, at bootstrap, runs during a test.
    cache = new PublicReadCache(db.dataSource, { publicCachePollMs: 3_600_000 } as AppConfig, changes);
    await cache.onApplicationBootstrap();
  });

  afterEach(() => cache.beforeApplicationShutdown());
  afterAll(() => db?.close());

  it('answers from memory while the public read models stay the same', async () => {
    const first = await cache.representation('/feed', request(), build);
    const second = await cache.representation('/feed', request(), build);
    expect(builds).toBe(1);
    expect(second.body).toBe(first.body);
    expect(second.etag).toBe(first.etag);
  });

  it('builds again at once when a public projection of this process commits a batch, not for the others', async () => {
    await cache.representation('/feed', request(), build);
    changes.applied('editor-board');
    await cache.representation('/feed', request(), build);
    expect(builds).toBe(1);

    changes.applied('public-feed');
    expect((await cache.representation('/feed', request(), build)).body).toBe('page 2');
    changes.applied('reaction-counts');
    expect((await cache.representation('/feed', request(), build)).body).toBe('page 3');
    expect(builds).toBe(3);
  });

  it('never keeps an answer built while a batch committed', async () => {
    let finish!: () => void;
    const slow = cache.representation('/feed', request(), async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      return build();
    });
    changes.applied('public-feed');
    finish();
    await slow;
    await cache.representation('/feed', request(), build);
    expect(builds).toBe(2);
  });

  it('builds again when another process counts a batch on a public projection, even one that applied nothing new', async () => {
    const polling = new PublicReadCache(db.dataSource, { publicCachePollMs: 20 } as AppConfig);
    await polling.onApplicationBootstrap();
    try {
      await polling.representation('/feed', request(), build);
      // What ProjectionApplier.count() writes for a redelivered batch: the row moves, the counter does not.
      await db.dataSource.query(`UPDATE projection_checkpoints SET updated_at = clock_timestamp() WHERE projection = 'reaction-counts'`);
      await until('a fresh build', async () => (await polling.representation('/feed', request(), build)).body, (body) => body !== 'page 1', 5000, 20);
    } finally {
      await polling.beforeApplicationShutdown();
    }
  });

  it('skips the cache for a read that waits for its own write (X-Min-Position)', async () => {
    await cache.representation('/feed', request(), build);
    await cache.representation('/feed', request({ 'x-min-position': '1' }), build);
    expect(builds).toBe(2);
  });
});
