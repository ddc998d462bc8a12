import type { DataSource } from 'typeorm';
import { articleStreamId } from '#libs/contracts';

/** Where an article stands for its readers: never published, published, or retracted. */
export type ArticlePublication = 'published' | 'retracted' | 'unpublished';

/**
 * Read from the article's own stream in the event store (strongly consistent, one index range of a
 * few dozen rows), not from a read model that may lag behind a publication. Retraction only
 * follows publication and is final, so "ever published" and "ever retracted" are the whole answer.
 */
export async function articlePublication(dataSource: DataSource, articleId: string): Promise<ArticlePublication> {
  const [row] = await dataSource.query(
    `SELECT coalesce(bool_or(type = 'Published'), false) AS published,
            coalesce(bool_or(type = 'ArticleRetracted'), false) AS retracted
       FROM events
      WHERE stream_id = $1 AND type IN ('Published', 'ArticleRetracted')`,
    [articleStreamId(articleId)],
  );
  return !row.published ? 'unpublished' : row.retracted ? 'retracted' : 'published';
}
