import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedDatabaseInUseError, EmbeddedPostgres } from './embedded-postgres.js';

describe('EmbeddedPostgres', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'newsroom-pglite-'));
  });
  afterEach(async () => rm(dataDir, { recursive: true, force: true }));

  it('serves PostgreSQL over the wire and keeps its folder to itself while it runs', async () => {
    const first = await EmbeddedPostgres.start(dataDir);
    try {
      const client = new pg.Client(first.url);
      await client.connect();
      expect((await client.query('SELECT 1 + 1 AS two')).rows).toEqual([{ two: 2 }]);
      await client.end();

      const second = EmbeddedPostgres.start(dataDir);
      await expect(second).rejects.toBeInstanceOf(EmbeddedDatabaseInUseError);
      await expect(second).rejects.toThrow(dataDir);
    } finally {
      await first.stop();
    }

    // Once stopped, the folder is free again.
    const again = await EmbeddedPostgres.start(dataDir);
    await again.stop();
  });
});
