import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The feed's order becomes the order stories entered it (`listed`, see the projection's
 * listNewStories): a story that becomes visible late still lands above every story already there,
 * where a keyset walk has not passed. Stories already published are listed in the order the feed
 * showed them, (published_at, id), so cursors and walks see the same order before and after.
 */
export class PublicFeedListingOrder1764232200000 implements MigrationInterface {
  name = 'PublicFeedListingOrder1764232200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // No DEFAULT: a draft's row is inserted long before it is listed. No OWNED BY either: a rebuild
    // drops the old table at its swap, and the fresh copy's values come from the same sequence.
    await queryRunner.query(`ALTER TABLE public_feed ADD COLUMN listed bigint`);
    await queryRunner.query(`CREATE SEQUENCE public_feed_listing AS bigint`);
    // Every published story, retracted ones too: "listed" means "has entered the feed".
    await queryRunner.query(`
      UPDATE public_feed SET listed = numbered.listed
        FROM (SELECT id, row_number() OVER (ORDER BY published_at, id) AS listed FROM public_feed WHERE published_at IS NOT NULL) AS numbered
       WHERE public_feed.id = numbered.id`);
    await queryRunner.query(`SELECT setval('public_feed_listing', coalesce(max(listed), 0) + 1, false) FROM public_feed`);
    await queryRunner.query(`DROP INDEX public_feed_newest_first`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX public_feed_listing_order ON public_feed (listed DESC)
        WHERE listed IS NOT NULL AND retraction IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX public_feed_listing_order`);
    await queryRunner.query(`
      CREATE INDEX public_feed_newest_first ON public_feed (published_at DESC, id DESC)
        WHERE published_at IS NOT NULL AND retraction IS NULL`);
    await queryRunner.query(`ALTER TABLE public_feed DROP COLUMN listed`);
    await queryRunner.query(`DROP SEQUENCE public_feed_listing`);
  }
}
