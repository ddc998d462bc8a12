import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ProblemError } from '#libs/http';
import { PublishScheduledArticleCommand } from '../articles/commands/publish-scheduled-article/publish-scheduled-article.command.js';
import { ArticleDomainError } from '../articles/domain/article.errors.js';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

// A scheduled article whose gate fails (a claim added or re-rated after scheduling) is retried this often.
const RETRY_AFTER_MS = 30_000;

/**
 * Publishes scheduled articles once their time has come. Schedules live in the event store (and
 * the scheduled_publications projection), so a restart loses none. Any number of workers may run
 * this: they race on the article's stream version, so exactly one Published is written.
 * An article that fails the fact-check gate at its time stays scheduled and is published as
 * soon as the gate opens (an embargo, not a deadline).
 */
@Injectable()
export class PublicationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PublicationScheduler.name);
  private readonly retryAt = new Map<string, number>();
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly commandBus: CommandBus,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Publishes what is due now; returns how many this worker published. */
  async publishDue(): Promise<number> {
    const now = this.clock.now();
    const due: { article_id: string }[] = await this.dataSource.query(
      'SELECT article_id FROM scheduled_publications WHERE publish_at <= $1 ORDER BY publish_at LIMIT 100',
      [now],
    );
    let published = 0;
    for (const { article_id: articleId } of due) {
      if ((this.retryAt.get(articleId) ?? 0) > now.getTime()) continue;
      try {
        await this.commandBus.execute(new PublishScheduledArticleCommand(articleId));
        this.retryAt.delete(articleId);
        published++;
      } catch (error) {
        this.handleRefusal(articleId, error, now);
      }
    }
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
    while (this.running) {
      try {
        await this.publishDue();
      } catch (error) {
        this.logger.error({ msg: 'scheduler tick failed', err: error });
      }
      await new Promise((resolve) => setTimeout(resolve, this.config.scheduler.intervalMs));
    }
  }
}
