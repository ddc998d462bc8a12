import { Query } from '@nestjs/cqrs';
import type { PublicArticle } from '../../public-article.js';

export interface FeedSlice {
  articles: PublicArticle[];
  nextCursor: string | null;
  /**
   * The newest change the slice reflects: of the whole feed (retractions included), and of the
   * listed stories' reaction counts; null before the first story.
   */
  lastModified: Date | null;
}

/** Published stories, the latest to enter the feed first (see listNewStories). */
export class GetFeedQuery extends Query<FeedSlice> {
  constructor(
    readonly limit: number,
    readonly cursor: string | undefined,
  ) {
    super();
  }
}
