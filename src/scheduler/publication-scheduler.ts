import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ProblemError } from '#libs/http';
import { ArticleDomainError, PublishScheduledArticleCommand } from '../articles/index.js';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

// A scheduled article whose gate fails (a claim added or re-rated after scheduling) is retried this often.
const RETRY_AFTER_MS = 30_000;

export interface PublicationSchedulerOptions {
  /** Due rows read per query (default 100). */
  batchSize?: number;
}

// Nothing in the app provides it (the defaults serve); it lets Nest inject the optional parameter,
// which specs pass directly.
export const PUBLICATION_SCHEDULER_OPTIONS = Symbol('PUBLICATION_SCHEDULER_OPTIONS');

/**
 * Publishes scheduled articles once their time has come. Schedules live in the event store (and
 * the scheduled_publications projection), so a restart loses none. Any number of workers may run
 * this: they race on the article's stream version, so exactly one Published is written.
 * An article that fails the fact-check gate at its time stays scheduled and is retried until
 * the gate opens (an embargo, not a deadline).
 */
@Injectable()
export class PublicationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PublicationScheduler.name);
  private readonly retryAt = new Map<string, number>();
  /** Aborted at shutdown: ends the wait between ticks, and a tick at its next row. */
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private readonly batchSize: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly commandBus: CommandBus,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(PUBLICATION_SCHEDULER_OPTIONS) options: PublicationSchedulerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  /**
   * Publishes what is due now; returns how many this worker published. It pages through every due
   * row by (publish_at, article_id): a LIMIT alone would let the oldest stories waiting on their
   * gate fill every batch and hide the newer due ones behind them.
   */
  async publishDue(): Promise<number> {
    const now = this.clock.now();
    const seen = new Set<string>();
    let published = 0;
    // publish_at travels as text: a Date would drop microseconds and the cursor could stall.
    let after = { publishAt: '-infinity', articleId: '00000000-0000-0000-0000-000000000000' };
    for (;;) {
      const due: { article_id: string; publish_at: string }[] = await this.dataSource.query(
        `SELECT article_id, publish_at::text AS publish_at FROM scheduled_publications
          WHERE publish_at <= $1 AND (publish_at, article_id) > ($2::timestamptz, $3::uuid)
          ORDER BY publish_at, article_id LIMIT $4`,
        [now, after.publishAt, after.articleId, this.batchSize],
      );
      for (const { article_id: articleId } of due) {
        // Stopping: what is left stays due, for the next worker or this one's next start.
        if (this.stopping.signal.aborted) return published;
        seen.add(articleId);
        if ((this.retryAt.get(articleId) ?? 0) > now.getTime()) continue;
        try {
          await this.commandBus.execute(new PublishScheduledArticleCommand(articleId));
          this.retryAt.delete(articleId);
          published++;
        } catch (error) {
          this.handleRefusal(articleId, error, now);
        }
      }
      if (due.length < this.batchSize) break;
      const last = due[due.length - 1];
      after = { publishAt: last.publish_at, articleId: last.article_id };
    }
    // Forget stories no longer due (an editor published or rescheduled them): the map stays
    // bounded, and one that comes back is tried, and warned about, afresh.
    for (const articleId of this.retryAt.keys()) if (!seen.has(articleId)) this.retryAt.delete(articleId);
    return published;
  }

  private handleRefusal(articleId: string, error: unknown, now: Date): void {
    const code = error instanceof ArticleDomainError || error instanceof ProblemError ? error.code : undefined;
    // Another worker got there first, or the article moved on since the projection saw it.
    if (code === 'concurrent-modification' || code === 'article.invalid-transition' || code === 'article.not-due') return;
    if (code === 'article.publish-gate') {
      if (!this.retryAt.has(articleId)) {
        this.logger.warn({ msg: 'scheduled article is due but its fact-check gate is closed; it stays scheduled', articleId, detail: (error as Error).message });
      }
    } else {
      this.logger.error({ msg: 'could not publish a scheduled article', articleId, err: error });
    }
    this.retryAt.set(articleId, now.getTime() + RETRY_AFTER_MS);
  }

  private async run(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      try {
        await this.publishDue();
      } catch (error) {
        if (!signal.aborted) this.logger.error({ msg: 'scheduler tick failed', err: error });
      }
      await sleep(this.config.scheduler.intervalMs, undefined, { signal }).catch(() => {});
    }
  }
}
