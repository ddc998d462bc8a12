import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ProblemError } from '#libs/http';
import type { AppConfig } from '../../../config/app-config.js';
import { APP_CONFIG } from '../../../config/config.module.js';
import { toPublicArticle } from '../../public-article.js';
import { PublicFeedEntity } from '../../public-feed.entity.js';
import { joinReactionCounts } from '../../reaction-counts.js';
import { latest, selectReactionsChangedAt, type ReactionsChangedAt } from '../last-modified.js';
import { GetPublicArticleQuery, type PublicArticleRead } from './get-public-article.query.js';

// What articleSlug makes: lowercase words and the id's tail, joined by hyphens.
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// Longer than any slug articleSlug makes (80 characters of headline, a hyphen, at most 32 hex digits).
const SLUG_MAX_LENGTH = 120;

@QueryHandler(GetPublicArticleQuery)
export class GetPublicArticleHandler implements IQueryHandler<GetPublicArticleQuery> {
  constructor(
    @InjectRepository(PublicFeedEntity) private readonly feed: Repository<PublicFeedEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ slug }: GetPublicArticleQuery): Promise<PublicArticleRead> {
    const found = await this.published(slug);
    if (found === null) {
      throw new ProblemError(404, 'article-not-found', 'Not found', `No published article has the slug "${slug}".`);
    }
    const { row, reactionsChangedAt } = found;
    if (row.retraction !== null) {
      const { reason, retractedAt } = row.retraction;
      throw new ProblemError(
        410,
        'article-retracted',
        'Article retracted',
        `"${row.headline}" was retracted on ${retractedAt.slice(0, 10)}: ${reason}`,
        { retraction: { headline: row.headline, reason, retractedAt } },
      );
    }
    const article = toPublicArticle(row, this.config.http.publicBaseUrl);
    return { article, lastModified: latest([new Date(article.updatedAt), reactionsChangedAt])! };
  }

  /** The row with its reaction counts, and when those last changed (same statement, so they agree). */
  private async published(slug: string): Promise<{ row: PublicFeedEntity; reactionsChangedAt: Date | null } | null> {
    if (slug.length > SLUG_MAX_LENGTH || !SLUG.test(slug)) return null;
    const { entities, raw } = await selectReactionsChangedAt(joinReactionCounts(this.feed.createQueryBuilder('article')))
      .where('article.slug = :slug', { slug })
      .andWhere('article.publishedAt IS NOT NULL')
      .getRawAndEntities<ReactionsChangedAt>();
    return entities.length === 0 ? null : { row: entities[0], reactionsChangedAt: raw[0].reactions_changed_at };
  }
}
