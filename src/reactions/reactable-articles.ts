import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { articlePublication, type ArticlePublication as Publication } from '../articles/index.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ArticleNotReactableError, ArticleRetractedError } from './domain/reaction.errors.js';

/** Beyond this many cached articles the cache is swept (and cleared if sweeping is not enough). */
const MAX_CACHED = 10_000;

/**
 * Only published, not retracted stories take reactions (articlePublication: from the article's
 * stream, not from a read model that may lag behind a publication).
 *
 * "Published" is cached in process for REACTION_ARTICLE_CACHE_MS (1 s by default) so a flood of
 * reactions on a hot story does not repeat the lookup, and concurrent misses share one query. A
 * retraction written through this process closes the story here at once (markRetracted); one
 * written through another process can let reactions in for up to that long. That is harmless: the check races
 * with a retraction committing between it and the append anyway, and a reaction on a retracted
 * story only moves counters nobody is shown any more (the story answers 410 and leaves the feed).
 * Retraction is final, so it is cached for good; "unpublished" is never cached, because the story
 * may be published the next moment and random ids must not fill the cache.
 */
@Injectable()
export class ReactableArticles {
  private readonly publishedUntil = new Map<string, number>();
  private readonly retracted = new Set<string>();
  private readonly lookups = new Map<string, Promise<Publication>>();
  private readonly cacheMs: number;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cacheMs = config.reactions.articleCacheMs;
  }

  /** Throws ArticleNotReactableError (404) or ArticleRetractedError (409) unless the story is live. */
  async assertReactable(articleId: string): Promise<void> {
    const until = this.publishedUntil.get(articleId);
    if (until !== undefined && until > Date.now()) return;
    if (this.retracted.has(articleId)) throw new ArticleRetractedError(articleId);

    let lookup = this.lookups.get(articleId);
    if (lookup === undefined) {
      lookup = this.lookUp(articleId);
      this.lookups.set(articleId, lookup);
    }
    const publication = await lookup;
    if (publication === 'retracted') throw new ArticleRetractedError(articleId);
    if (publication === 'unpublished') throw new ArticleNotReactableError(articleId);
  }

  /** The story was just retracted (by this process): no reaction from now on. */
  markRetracted(articleId: string): void {
    this.remember(articleId, 'retracted');
  }

  private async lookUp(articleId: string): Promise<Publication> {
    try {
      const publication = await articlePublication(this.dataSource, articleId);
      this.remember(articleId, publication);
      return publication;
    } finally {
      this.lookups.delete(articleId);
    }
  }

  private remember(articleId: string, publication: Publication): void {
    if (publication === 'retracted') {
      if (this.retracted.size >= MAX_CACHED) this.retracted.clear();
      this.retracted.add(articleId);
      this.publishedUntil.delete(articleId);
    } else if (publication === 'published') {
      const now = Date.now();
      if (this.publishedUntil.size >= MAX_CACHED) this.sweep(now);
      this.publishedUntil.set(articleId, now + this.cacheMs);
    }
  }

  private sweep(now: number): void {
    for (const [articleId, until] of this.publishedUntil) {
      if (until <= now) this.publishedUntil.delete(articleId);
    }
    if (this.publishedUntil.size >= MAX_CACHED) this.publishedUntil.clear();
  }
}
