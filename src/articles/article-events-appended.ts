import type { ArticleEvent } from '#libs/contracts';

/**
 * Published on this process's EventBus after a write to an article stream, for what must know at
 * once, in this process, rather than when a projection gets there (e.g. a retraction closing the
 * story to reactions). Other processes learn it from the store or Kafka, as everything else.
 */
export class ArticleEventsAppended {
  constructor(
    readonly articleId: string,
    readonly events: readonly ArticleEvent[],
  ) {}
}
