import { Injectable, Optional } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import AsyncLock from 'async-lock';
import { EventStore, UniqueEventConstraintError, WrongExpectedVersionError, type RecordedEvent } from '#libs/event-store';
import { assertVersionMatches, PreconditionFailedProblem, ProblemError } from '#libs/http';
import { ARTICLE_STREAM_TYPE, articleStreamId, type ArticleEvent } from '#libs/contracts';
import { Clock } from '../common/clock.js';
import { EventMetrics } from '../metrics/event-metrics.js';
import type { Actor, ArticleCommand, ArticleCommandType } from './domain/article.commands.js';
import { ArticleEventsAppended } from './article-events-appended.js';
import { ArticleStateCache } from './article-state-cache.js';
import { decide, evolve, foldArticle } from './domain/article.decider.js';
import { ArticleDomainError, ArticleNotFoundError } from './domain/article.errors.js';
import { PUBLISHED_SLUG_INDEX } from './migrations/1764232400000-published-slugs-unique.js';
import type { Article, ArticleState } from './domain/article.state.js';

/** Tries of a write without If-Match that other writes to the same article keep overtaking. */
const UNCONDITIONAL_WRITE_ATTEMPTS = 3;

/** Who writes, to which article, and at which version they last saw it. */
export interface WriteContext {
  articleId: string;
  actor: Actor;
  /** The versions `If-Match` accepts (see parseIfMatch); when absent, the write goes against the version just read. */
  expectedVersions?: readonly number[];
  /** The request (or, for a scheduled publication, the schedule's request) that started the work. */
  correlationId?: string;
  /** What caused this write: the request, or the event that asked for it (a PublishScheduled). */
  causationId?: string;
}

/** What every write answers: the article, its new version, and the global position of the last event. */
export interface WriteResult {
  id: string;
  version: number;
  position: number;
}

type CommandData<T extends ArticleCommandType> = Omit<Extract<ArticleCommand, { type: T }>['data'], 'articleId' | 'actor' | 'now'>;

export interface LoadedArticle {
  article: Article;
  version: number;
  events: RecordedEvent<ArticleEvent>[];
}

/** Reads, folds, decides and appends for one article stream: the whole of every article command. */
@Injectable()
export class ArticleStream {
  // Unbounded: staff writes to one article are few, and each turn is usually a single append.
  private readonly turns = new AsyncLock({ maxPending: Infinity });

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly cache: ArticleStateCache,
    @Optional() private readonly metrics?: EventMetrics,
    @Optional() private readonly eventBus?: EventBus,
  ) {}

  async load(articleId: string, toVersion?: number): Promise<LoadedArticle> {
    const events = await this.store.readStream<ArticleEvent>(articleStreamId(articleId), { toVersion });
    const article = foldArticle(events);
    if (article === null) throw new ArticleNotFoundError(articleId);
    return { article, version: events[events.length - 1].streamVersion, events };
  }

  /**
   * Decides the command on the article as it is now and appends the result. Writes to one article
   * in this process take turns, so they do not overtake each other. A write without If-Match that
   * loses a race to another process is decided again on the fresh stream (a few times): its caller
   * named no version, so the outcome is what the two writes give one after the other, a success or
   * the domain's own refusal, never a conflict the caller could not have avoided.
   */
  async execute<T extends ArticleCommandType>(context: WriteContext, type: T, data: CommandData<T>): Promise<WriteResult> {
    return this.turns.acquire(articleStreamId(context.articleId), () => this.executeWithRetries(context, type, data));
  }

  private async executeWithRetries<T extends ArticleCommandType>(context: WriteContext, type: T, data: CommandData<T>): Promise<WriteResult> {
    for (let tries = 1; ; ) {
      try {
        return await this.attempt(context, type, data);
      } catch (error) {
        if (isShortSlugTaken(error, data)) {
          // Another story has the slug this publication would give: publish again with the whole id in it.
          data = { ...data, shortSlugTaken: true };
          continue;
        }
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (context.expectedVersions !== undefined) {
          throw new PreconditionFailedProblem('The article changed while this write was decided on the version If-Match named.');
        }
        if (tries++ === UNCONDITIONAL_WRITE_ATTEMPTS) {
          throw new ProblemError(409, 'concurrent-modification', 'Concurrent modification',
            'The article kept changing while this request was handled; read it again and retry.');
        }
      }
    }
  }

  /**
   * One decision and its append. What this process already knows of the article (its cache, or for
   * a draft: a new stream) is tried first, without a read: the append names the version decided on,
   * so it only lands if nothing came after it. Should another process have written since (the append
   * meets a newer version), or should the known state refuse the command, the events appended since
   * are read and the command decided again on them: a refusal always rests on the article as it is.
   */
  private async attempt<T extends ArticleCommandType>(context: WriteContext, type: T, data: CommandData<T>): Promise<WriteResult> {
    const { articleId, expectedVersions } = context;
    const streamId = articleStreamId(articleId);
    const known: { article: ArticleState; version: number } | undefined =
      this.cache.get(streamId) ?? (type === 'DraftArticle' ? { article: null, version: 0 } : undefined);
    if (known !== undefined && (expectedVersions === undefined || expectedVersions.includes(known.version))) {
      try {
        return await this.decideAndAppend(context, type, data, known.article, known.version);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) && !(error instanceof ArticleDomainError)) throw error;
      }
    }
    const { state, version: currentVersion } = await this.current(streamId);
    // An unknown article is a 404 whatever If-Match says; only a draft may start a stream.
    if (currentVersion === 0 && type !== 'DraftArticle') throw new ArticleNotFoundError(articleId);
    assertVersionMatches(expectedVersions, currentVersion);
    return this.decideAndAppend(context, type, data, state, currentVersion);
  }

  private async decideAndAppend<T extends ArticleCommandType>(
    context: WriteContext,
    type: T,
    data: CommandData<T>,
    state: ArticleState,
    currentVersion: number,
  ): Promise<WriteResult> {
    const { articleId, actor } = context;
    const streamId = articleStreamId(articleId);
    const command = { type, data: { ...data, articleId, actor, now: this.clock.now() } } as ArticleCommand;
    const events = decide(command, state);
    const result = await this.store.appendToStream(streamId, events, {
      streamType: ARTICLE_STREAM_TYPE,
      expectedVersion: currentVersion,
      metadata: {
        actor: { sub: actor.sub, name: actor.name, roles: actor.roles },
        correlationId: context.correlationId,
        causationId: context.causationId,
      },
    });
    this.metrics?.recordAppended(ARTICLE_STREAM_TYPE, events);
    const written = events.reduce(evolve, state);
    if (written !== null) this.cache.remember(streamId, { article: written, version: result.nextExpectedVersion });
    this.eventBus?.publish(new ArticleEventsAppended(articleId, events));
    return { id: articleId, version: result.nextExpectedVersion, position: result.lastPosition };
  }

  /** The article now: this process's last fold of it (if any) and the events appended since. */
  private async current(streamId: string): Promise<{ state: ArticleState; version: number }> {
    const known = this.cache.get(streamId);
    const newer = await this.store.readStream<ArticleEvent>(streamId, { afterVersion: known?.version ?? 0 });
    if (newer.length === 0) return { state: known?.article ?? null, version: known?.version ?? 0 };
    const state = newer.reduce(evolve, known?.article ?? null);
    const version = newer[newer.length - 1].streamVersion;
    if (state !== null) this.cache.remember(streamId, { article: state, version });
    return { state, version };
  }
}

/** The first try of a publication met another story's slug (a second one would be a bug: rethrown). */
function isShortSlugTaken(error: unknown, data: object): boolean {
  return error instanceof UniqueEventConstraintError && error.constraint === PUBLISHED_SLUG_INDEX && !('shortSlugTaken' in data);
}
