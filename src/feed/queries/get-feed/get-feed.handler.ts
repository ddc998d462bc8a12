import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { decodeCursor, toPage } from '#libs/read-models';
import type { AppConfig } from '../../../config/app-config.js';
import { APP_CONFIG } from '../../../config/config.module.js';
import { toPublicArticle } from '../../public-article.js';
import { PublicFeedEntity } from '../../public-feed.entity.js';
import { joinReactionCounts } from '../../reaction-counts.js';
import { latest, selectReactionsChangedAt, type ReactionsChangedAt } from '../last-modified.js';
import { GetFeedQuery, type FeedSlice } from './get-feed.query.js';

@QueryHandler(GetFeedQuery)
export class GetFeedHandler implements IQueryHandler<GetFeedQuery> {
  constructor(
    @InjectRepository(PublicFeedEntity) private readonly feed: Repository<PublicFeedEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ limit, cursor }: GetFeedQuery): Promise<FeedSlice> {
    // Read the feed's last change before the stories: a change landing in between then makes the
    // page newer than its Last-Modified (a harmless extra 200 later), never older (a wrong 304).
    const feedChangedAt = await this.feedChangedAt();
    const query = selectReactionsChangedAt(joinReactionCounts(this.feed.createQueryBuilder('article')))
      .where('article.publishedAt IS NOT NULL')
      .andWhere('article.retraction IS NULL')
      .orderBy('article.publishedAt', 'DESC')
      .addOrderBy('article.id', 'DESC')
      .limit(limit + 1);
    if (cursor !== undefined) {
      const [publishedAt, id] = decodeCursor(cursor, ['timestamp', 'uuid']);
      query.andWhere('(article.publishedAt, article.id) < (CAST(:publishedAt AS timestamptz), CAST(:id AS uuid))', { publishedAt, id });
    }
    const { entities, raw } = await query.getRawAndEntities<ReactionsChangedAt & { article_id: string }>();
    const articles = entities.map((row) => toPublicArticle(row, this.config.http.publicBaseUrl));
    const page = toPage(articles, limit, (article) => [article.publishedAt, article.id], (article) => article);
    // Any story's change can move the page (in, out, along), but only the listed stories' counts are in it;
    // their change times come from the same statement as the counts.
    const listed = new Set(page.items.map((article) => article.id));
    const reactionsChangedAt = raw.filter((row) => listed.has(row.article_id)).map((row) => row.reactions_changed_at);
    return { articles: page.items, nextCursor: page.nextCursor, lastModified: latest([feedChangedAt, ...reactionsChangedAt]) };
  }

  private async feedChangedAt(): Promise<Date | null> {
    const row = await this.feed.createQueryBuilder('article').select('max(article.updatedAt)', 'lastModified').getRawOne();
    return row?.lastModified ?? null;
  }
}
