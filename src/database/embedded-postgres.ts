import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import lockfile from 'proper-lockfile';
import { ConfigError } from '../config/app-config.js';

/**
 * PostgreSQL embedded in the process (PGlite), served over the wire protocol so that `pg` and
 * TypeORM talk to it exactly as to a server. PGlite runs one transaction at a time: the pool
 * in front of it must have a single connection.
 *
 * PGlite does not guard its folder: a second process opening it would corrupt it. So the folder is
 * locked while in use (a lock file its holder keeps fresh: one left by a crashed process goes
 * stale within seconds).
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly unlock: () => Promise<void>,
    readonly url: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    await mkdir(dataDir, { recursive: true });
    const unlock = await lockFolder(dataDir);
    try {
      const db = await PGlite.create(dataDir);
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
      await server.start();
      return new EmbeddedPostgres(db, server, unlock, `postgres://postgres@${server.getServerConn()}/postgres`);
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop();
      await this.db.close();
    } finally {
      await this.unlock();
    }
  }
}

/** A lock its holder stopped renewing this long ago (it crashed) is taken over. */
const LOCK_STALE_MS = 10_000;

/** A setting the user can act on, so start-up stops with this message alone (no stack). */
export class EmbeddedDatabaseInUseError extends ConfigError {
  constructor(dataDir: string) {
    super({
      EMBEDDED_DATA_DIR:
        `${dataDir} is in use by another process (stop it, or choose another folder); ` +
        `after a crash, its lock is taken back ${LOCK_STALE_MS / 1000} s after the crashed process last renewed it: start again then`,
    });
  }
}

async function lockFolder(dataDir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, {
      lockfilePath: join(dataDir, 'newsroom.lock'),
      stale: LOCK_STALE_MS,
      // The default throws from a timer and ends the process; a lock found stale (the event loop
      // stalled for 10 s) is worth a warning, not a crash.
      onCompromised: (error) => new Logger(EmbeddedPostgres.name).warn(`lock on ${dataDir} compromised: ${error.message}`),
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED') throw new EmbeddedDatabaseInUseError(dataDir);
    throw error;
  }
}
