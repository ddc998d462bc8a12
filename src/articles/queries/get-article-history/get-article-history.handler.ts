import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '#libs/event-store';
import { ArticleStream } from '../../article-stream.js';
import { GetArticleHistoryQuery } from './get-article-history.query.js';

export interface ArticleHistoryEntry {
  version: number;
  type: string;
  time: string;
  actor: Actor;
  data: unknown;
  eventId: string;
  position: number;
}

export interface ArticleHistory {
  id: string;
  version: number;
  events: ArticleHistoryEntry[];
}

@QueryHandler(GetArticleHistoryQuery)
export class GetArticleHistoryHandler implements IQueryHandler<GetArticleHistoryQuery> {
  constructor(private readonly articles: ArticleStream) {}

  async execute({ articleId }: GetArticleHistoryQuery): Promise<ArticleHistory> {
    const { version, events } = await this.articles.load(articleId);
    return {
      id: articleId,
      version,
      events: events.map((event) => ({
        version: event.streamVersion,
        type: event.type,
        time: event.recordedAt.toISOString(),
        actor: event.metadata.actor,
        data: event.data,
        eventId: event.eventId,
        position: event.position,
      })),
    };
  }
}
