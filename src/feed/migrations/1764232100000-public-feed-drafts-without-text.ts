import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public feed now takes a story's text from its Published event only (see the projection's
 * evolve): rows of stories not yet published lose the draft text they were given before.
 */
export class PublicFeedDraftsWithoutText1764232100000 implements MigrationInterface {
  name = 'PublicFeedDraftsWithoutText1764232100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE public_feed SET headline = '', standfirst = NULL, body = '', section = '', tags = '{}'
       WHERE published_at IS NULL`);
  }

  async down(): Promise<void> {
    // The draft text is in the event store; a rebuild of the old projection would bring it back.
  }
}
