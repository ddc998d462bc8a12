import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { ArticleEventsAppended } from '../articles/index.js';
import { ReactableArticles } from './reactable-articles.js';

/**
 * A retraction written through this process closes the story to reactions here at once, not when
 * the cached "published" expires (REACTION_ARTICLE_CACHE_MS); other API processes within that time.
 */
@EventsHandler(ArticleEventsAppended)
export class CloseRetractedArticlesHandler implements IEventHandler<ArticleEventsAppended> {
  constructor(private readonly articles: ReactableArticles) {}

  handle({ articleId, events }: ArticleEventsAppended): void {
    if (events.some((event) => event.type === 'ArticleRetracted')) this.articles.markRetracted(articleId);
  }
}
