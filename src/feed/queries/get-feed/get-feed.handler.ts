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
import { GetFeedQuery, type FeedSlice } from './get-feed.query.js';

@QueryHandler(GetFeedQuery)
export class GetFeedHandler implements IQueryHandler<GetFeedQuery> {
  constructor(
    @InjectRepository(PublicFeedEntity) private readonly feed: Repository<PublicFeedEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ limit, cursor }: GetFeedQuery): Promise<FeedSlice> {
    // Read Last-Modified before the stories: a change landing in between then makes the page
    // newer than its Last-Modified (a harmless extra 200 later), never older (a wrong 304).
    const lastModified = await this.lastModified();
    const query = joinReactionCounts(this.feed.createQueryBuilder('article'))
      .where('article.publishedAt IS NOT NULL')
      .andWhere('article.retraction IS NULL')
      .orderBy('article.publishedAt', 'DESC')
      .addOrderBy('article.id', 'DESC')
      .limit(limit + 1);
    if (cursor !== undefined) {
      const [publishedAt, id] = decodeCursor(cursor, ['timestamp', 'uuid']);
      query.andWhere('(article.publishedAt, article.id) < (CAST(:publishedAt AS timestamptz), CAST(:id AS uuid))', { publishedAt, id });
    }
    const articles = (await query.getMany()).map((row) => toPublicArticle(row, this.config.http.publicBaseUrl));
    const page = toPage(articles, limit, (article) => [article.publishedAt, article.id], (article) => article);
    return { articles: page.items, nextCursor: page.nextCursor, lastModified };
  }

  private async lastModified(): Promise<Date | null> {
    const row = await this.feed.createQueryBuilder('article').select('max(article.updatedAt)', 'lastModified').getRawOne();
    return row?.lastModified ?? null;
  }
}
