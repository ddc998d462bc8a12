import type { MigrationInterface, QueryRunner } from 'typeorm';
import { streamsTableDdl, streamsTableOf } from '#libs/projections';
import { REACTION_COUNT_COLUMNS, reactionCountsProjection } from '../reaction-counts.projection.js';

export class CreateReactionCounts1764231500000 implements MigrationInterface {
  name = 'CreateReactionCounts1764231500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per article anyone has reacted to; the feed LEFT JOINs it (no row = all zero).
    // "like" is an SQL keyword: the counter columns are always quoted. No CHECK (>= 0): PostgreSQL
    // checks the proposed row of INSERT ... ON CONFLICT, which carries a batch's (negative) deltas.
    const counters = REACTION_COUNT_COLUMNS.map((column) => `${column} integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`
      CREATE TABLE reaction_counts (
        article_id  uuid PRIMARY KEY,
        ${counters.join(',\n        ')},
        updated_at  timestamptz NOT NULL
      )`);
    await queryRunner.query(streamsTableDdl(streamsTableOf(reactionCountsProjection)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${streamsTableOf(reactionCountsProjection)}`);
    await queryRunner.query('DROP TABLE reaction_counts');
  }
}
