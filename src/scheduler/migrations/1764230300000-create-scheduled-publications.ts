import type { MigrationInterface, QueryRunner } from 'typeorm';
import { streamsTableDdl, streamsTableOf } from '#libs/projections';
import { scheduledPublicationsProjection } from '../scheduled-publications.projection.js';

export class CreateScheduledPublications1764230300000 implements MigrationInterface {
  name = 'CreateScheduledPublications1764230300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE scheduled_publications (
        article_id  uuid PRIMARY KEY,
        publish_at  timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX scheduled_publications_due ON scheduled_publications (publish_at)');
    await queryRunner.query(streamsTableDdl(streamsTableOf(scheduledPublicationsProjection)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${streamsTableOf(scheduledPublicationsProjection)}`);
    await queryRunner.query('DROP TABLE scheduled_publications');
  }
}
