import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ReadModelChanges } from '../projections/read-model-changes.js';
import { reactionCountsProjection } from '../reactions/index.js';
import { etagOf, type Representation } from './conditional-get.js';
import { publicFeedProjection } from './public-feed.projection.js';

const PUBLIC_PROJECTIONS = [publicFeedProjection.name, reactionCountsProjection.name];
// Feed pages are up to ~100 KB: this bounds the cache to a few tens of MB.
const MAX_ENTRIES = 200;

interface Entry extends Representation {
  etag: string;
  version: string;
}

/**
 * Public reads served from memory while the read models behind them stay the same: the feed is
 * read far more often than it changes. Every PUBLIC_CACHE_POLL_MS each API process asks for the
 * public projections' checkpoint rows (applied-event counter, last count, last rebuild: one small
 * query) and forgets every answer when they move, so an answer is at most that much older than the
 * read model. Where the projections run in the same process, each batch they commit also drops the
 * cached answers at once (ReadModelChanges).
 * A read with X-Min-Position skips the cache: it has waited for a write of its own and must see it.
 */
@Injectable()
export class PublicReadCache implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PublicReadCache.name);
  private readonly entries = new Map<string, Entry>();
  /** Null until the first poll answers (and while polling fails): then nothing is cached. */
  private version: string | null = null;
  /** Moves on every batch a public projection of this process commits. */
  private localChanges = 0;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private unsubscribe?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly changes?: ReadModelChanges,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.publicCachePollMs === 0) return;
    this.unsubscribe = this.changes?.subscribe((projection) => {
      if (!PUBLIC_PROJECTIONS.includes(projection)) return;
      this.localChanges++;
      this.entries.clear();
    });
    await this.poll();
    this.timer = setInterval(() => void (this.polling = this.poll()), this.config.publicCachePollMs);
    this.timer.unref();
  }

  /** Before the database closes (onApplicationShutdown): a poll cut off by the close would warn. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.polling;
  }

  async representation(key: string, request: FastifyRequest, build: () => Promise<Representation>): Promise<Representation & { etag: string }> {
    if (this.version === null || request.headers['x-min-position'] !== undefined) {
      const fresh = await build();
      return { ...fresh, etag: etagOf(fresh.body) };
    }
    const version = `${this.version}#${this.localChanges}`;
    const cached = this.entries.get(key);
    if (cached?.version === version) return cached;
    const fresh = await build();
    // Stamped with the version read before building: a change meanwhile makes it stale at once.
    const entry = { ...fresh, etag: etagOf(fresh.body), version };
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, entry);
    return entry;
  }

  private async poll(): Promise<void> {
    try {
      const [{ version }] = await this.dataSource.query(
        `SELECT coalesce(string_agg(projection || '=' || events_applied || '~' || updated_at::text || '@' || coalesce(rebuilt_at::text, ''), ',' ORDER BY projection), '') AS version
           FROM projection_checkpoints WHERE projection = ANY($1::text[])`,
        [PUBLIC_PROJECTIONS],
      );
      if (version !== this.version) this.entries.clear();
      this.version = version;
    } catch (error) {
      if (this.version !== null) this.logger.warn({ msg: 'cannot check the public read models; not caching', err: error });
      this.version = null;
      this.entries.clear();
    }
  }
}
