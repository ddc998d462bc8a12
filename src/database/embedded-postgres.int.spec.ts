import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { waitFor } from '#libs/testing';
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

  it('names EMBEDDED_DATA_DIR when the folder cannot be made', async () => {
    const inAFile = join(dataDir, 'newsroom.lock-not-a-folder', 'data');
    await writeFile(join(dataDir, 'newsroom.lock-not-a-folder'), '');
    await expect(EmbeddedPostgres.start(inAFile)).rejects.toThrow(/EMBEDDED_DATA_DIR: .*cannot hold the database: ENOTDIR/);
  });

  describe('when its lock file is not as it left it', () => {
    const lockFile = () => join(dataDir, 'newsroom.lock');

    it('takes the lock back when it is free (the file was removed), and goes on', async () => {
      const lost: Error[] = [];
      const embedded = await EmbeddedPostgres.start(dataDir, (error) => lost.push(error));
      try {
        await rm(lockFile(), { recursive: true });
        // The lock is renewed every 2 s: by then it is found gone, and taken again.
        await waitFor(() => stat(lockFile()).then(() => true, () => false), { timeoutMs: 10_000 });
        await expect(EmbeddedPostgres.start(dataDir)).rejects.toBeInstanceOf(EmbeddedDatabaseInUseError);
        expect(lost).toEqual([]);
      } finally {
        await embedded.stop();
      }
    });

    it('lets go without touching it when another process holds it (its time moved)', async () => {
      const lost: Error[] = [];
      const embedded = await EmbeddedPostgres.start(dataDir, (error) => lost.push(error));
      try {
        // Another process took the lock over (it found it stale) and keeps it fresh, as holders do.
        // Touched once only, the library's own renewal could land just after and write its time back.
        const later = new Date(Date.now() + 5_000);
        await waitFor(
          async () => {
            await utimes(lockFile(), later, later);
            return lost.length > 0;
          },
          { timeoutMs: 10_000, intervalMs: 200 },
        );
        expect(lost[0].message).toMatch(/lost to another process/);
      } finally {
        await embedded.stop();
      }
      // Stopping did not remove the other holder's lock.
      await expect(EmbeddedPostgres.start(dataDir)).rejects.toBeInstanceOf(EmbeddedDatabaseInUseError);
    });
  });
});
