import type { MigrationInterface, QueryRunner } from 'typeorm';

/** ArticleStream tells a taken slug from other refusals by this name. */
export const PUBLISHED_SLUG_INDEX = 'events_published_slug_unique';

/**
 * One story per public slug, refused by the database itself: a slug's random tail (32 bits of the
 * id) alone does not make it unique among the many stories whose headlines slug alike (all those
 * in Chinese or Hindi slug to "article"), and two stories with one slug would leave the second
 * out of every public read. Only Published events carry a slug, so the index stays small.
 */
export class PublishedSlugsUnique1764232400000 implements MigrationInterface {
  name = 'PublishedSlugsUnique1764232400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE UNIQUE INDEX ${PUBLISHED_SLUG_INDEX} ON events ((data ->> 'slug')) WHERE type = 'Published'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ${PUBLISHED_SLUG_INDEX}`);
  }
}
