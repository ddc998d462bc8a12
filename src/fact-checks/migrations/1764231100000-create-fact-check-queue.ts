import type { MigrationInterface, QueryRunner } from 'typeorm';
import { streamsTableDdl, streamsTableOf } from '#libs/projections';
import { factCheckQueueProjection } from '../fact-check-queue.projection.js';

export class CreateFactCheckQueue1764231100000 implements MigrationInterface {
  name = 'CreateFactCheckQueue1764231100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Every article, so that a claim added later finds the current headline and status.
    await queryRunner.query(`
      CREATE TABLE fact_check_queue_articles (
        article_id  uuid PRIMARY KEY,
        version     integer NOT NULL,
        headline    text NOT NULL,
        status      text NOT NULL
      )`);
    // Only claims without a verdict: a verdict or a retraction deletes the row.
    await queryRunner.query(`
      CREATE TABLE fact_check_queue (
        article_id  uuid NOT NULL,
        claim_id    uuid NOT NULL,
        text        text NOT NULL,
        quote       text,
        added_at    timestamptz NOT NULL,
        added_by    jsonb NOT NULL,
        PRIMARY KEY (article_id, claim_id)
      )`);
    // Oldest first is the queue's order and its keyset.
    await queryRunner.query(`CREATE INDEX fact_check_queue_oldest_first ON fact_check_queue (added_at, article_id, claim_id)`);
    await queryRunner.query(streamsTableDdl(streamsTableOf(factCheckQueueProjection)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${streamsTableOf(factCheckQueueProjection)}`);
    await queryRunner.query(`DROP TABLE fact_check_queue`);
    await queryRunner.query(`DROP TABLE fact_check_queue_articles`);
  }
}
