import { ARTICLE_STREAM_TYPE, type ArticleEvent } from '#libs/contracts';
import { groupByKey, type ProjectedEvent, type Projection } from '#libs/projections';

/** When each scheduled article is due; null once it is published, retracted or never scheduled. */
export function evolveSchedule(publishAt: string | null, event: ArticleEvent): string | null {
  switch (event.type) {
    case 'PublishScheduled':
      return event.data.publishAt;
    case 'Published':
    case 'ArticleRetracted':
      return null;
    default:
      return publishAt;
  }
}

/** The scheduler's to-do list: articles waiting for their publication time. */
export const scheduledPublicationsProjection: Projection = {
  name: 'scheduled-publications',
  streamTypes: [ARTICLE_STREAM_TYPE],
  tables: ['scheduled_publications'],
  async apply(events, context) {
    const table = context.table('scheduled_publications');
    const articleIds = [...groupByKey(events).keys()];
    const rows: { article_id: string; publish_at: Date }[] = await context.query(
      `SELECT article_id, publish_at FROM ${table} WHERE article_id = ANY($1::uuid[])`,
      [articleIds],
    );
    const due = new Map<string, string | null>(rows.map((row) => [row.article_id, row.publish_at.toISOString()]));
    for (const event of events as ProjectedEvent<ArticleEvent>[]) {
      due.set(event.key, evolveSchedule(due.get(event.key) ?? null, event));
    }
    const scheduled = [...due].filter(([, publishAt]) => publishAt !== null);
    await context.query(`DELETE FROM ${table} WHERE article_id = ANY($1::uuid[])`, [articleIds]);
    if (scheduled.length > 0) {
      await context.query(`INSERT INTO ${table} (article_id, publish_at) SELECT * FROM unnest($1::uuid[], $2::timestamptz[])`, [
        scheduled.map(([articleId]) => articleId),
        scheduled.map(([, publishAt]) => publishAt),
      ]);
    }
  },
};
