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
    private readonly lock: FolderLock,
    readonly url: string,
  ) {}

  /** `onLockLost` runs when another process has taken the folder over; by default this process exits. */
  static async start(dataDir: string, onLockLost: (error: Error) => void = exitAtOnce): Promise<EmbeddedPostgres> {
    await mkdir(dataDir, { recursive: true }).catch((error: Error) => {
      throw new ConfigError({ EMBEDDED_DATA_DIR: `${dataDir} cannot hold the database: ${error.message}` });
    });
    const lock = await FolderLock.take(dataDir, onLockLost);
    try {
      const db = await PGlite.create(dataDir);
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
      await server.start();
      return new EmbeddedPostgres(db, server, lock, `postgres://postgres@${server.getServerConn()}/postgres`);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop();
      await this.db.close();
    } finally {
      await this.lock.release();
    }
  }
}

/** A lock its holder stopped renewing this long ago (it crashed) is taken over. */
const LOCK_STALE_MS = 10_000;

/**
 * Another process has the folder: writing on would corrupt it, and so would closing PGlite (it
 * writes as it closes). What this process committed is on disk already; the next start recovers.
 */
function exitAtOnce(error: Error): void {
  new Logger(EmbeddedPostgres.name).fatal(`${error.message}; stopping at once, without touching the folder again`);
  process.exit(1);
}

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

/**
 * The folder's lock file, kept fresh by proper-lockfile. The library calls a lock compromised when
 * it could not keep it fresh: the file is gone, or its time is not the one last written (another
 * process took it over, or the event loop stalled past LOCK_STALE_MS). Then the lock is taken
 * again if it is free, and the process goes on; if another process holds it, `onLost` runs.
 */
class FolderLock {
  private constructor(
    private readonly dataDir: string,
    private readonly onLost: (error: Error) => void,
    private releaseFile: () => Promise<void>,
  ) {}

  static async take(dataDir: string, onLost: (error: Error) => void): Promise<FolderLock> {
    const lock = new FolderLock(dataDir, onLost, async () => {});
    lock.releaseFile = await lock.acquire();
    return lock;
  }

  async release(): Promise<void> {
    await this.releaseFile();
  }

  private async acquire(): Promise<() => Promise<void>> {
    try {
      return await lockfile.lock(this.dataDir, {
        lockfilePath: join(this.dataDir, 'newsroom.lock'),
        stale: LOCK_STALE_MS,
        update: LOCK_STALE_MS / 5,
        // The library's default throws from a timer, which ends the process even when the lock is free to take back.
        onCompromised: (error) => void this.takeBack(error),
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'ELOCKED') throw new EmbeddedDatabaseInUseError(this.dataDir);
      throw error;
    }
  }

  private async takeBack(compromise: Error): Promise<void> {
    try {
      this.releaseFile = await this.acquire();
      new Logger(EmbeddedPostgres.name).warn(`lock on ${this.dataDir} was lost (${compromise.message}) and taken back`);
    } catch (error) {
      this.releaseFile = async () => {}; // the lock file is another process's now: never remove it
      this.onLost(new Error(`lock on ${this.dataDir} lost to another process (${compromise.message}): ${(error as Error).message}`));
    }
  }
}
