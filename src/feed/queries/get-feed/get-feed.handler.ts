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
    // Newest listed first: a story that becomes visible sorts above every story already there, so
    // a walk down the pages never passes a place where one appears later (see listNewStories).
    const query = selectReactionsChangedAt(joinReactionCounts(this.feed.createQueryBuilder('article')))
      .where('article.listed IS NOT NULL')
      .andWhere('article.retraction IS NULL')
      .orderBy('article.listed', 'DESC')
      .limit(limit + 1);
    if (cursor !== undefined) {
      const [listed] = decodeCursor(cursor, ['integer']);
      query.andWhere('article.listed < CAST(:listed AS bigint)', { listed });
    }
    const { entities, raw } = await query.getRawAndEntities<ReactionsChangedAt & { article_id: string }>();
    const page = toPage(entities, limit, (row) => [row.listed!], (row) => toPublicArticle(row, this.config.http.publicBaseUrl));
    // Any story's change can move the page (in, out, along), but only the shown stories' counts are in it;
    // their change times come from the same statement as the counts.
    const shown = new Set(page.items.map((article) => article.id));
    const reactionsChangedAt = raw.filter((row) => shown.has(row.article_id)).map((row) => row.reactions_changed_at);
    return { articles: page.items, nextCursor: page.nextCursor, lastModified: latest([feedChangedAt, ...reactionsChangedAt]) };
  }

  private async feedChangedAt(): Promise<Date | null> {
    const row = await this.feed.createQueryBuilder('article').select('max(article.updatedAt)', 'lastModified').getRawOne();
    return row?.lastModified ?? null;
  }
}
