import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every batch of the public feed looks for published stories without a place in the feed (see the
 * projection's listNewStories): this index keeps that a probe of the few such rows, not a scan.
 */
export class PublicFeedUnlistedIndex1764232300000 implements MigrationInterface {
  name = 'PublicFeedUnlistedIndex1764232300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX public_feed_unlisted ON public_feed (published_at, id)
        WHERE published_at IS NOT NULL AND listed IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX public_feed_unlisted`);
  }
}
