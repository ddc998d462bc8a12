import type { MigrationInterface, QueryRunner } from 'typeorm';
import { streamsTableDdl, streamsTableOf } from '#libs/projections';
import { editorBoardProjection } from '../editor-board.projection.js';

export class CreateEditorBoard1764231000000 implements MigrationInterface {
  name = 'CreateEditorBoard1764231000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // claim_ratings (claim id -> latest rating or null) is what the three counts are made from.
    await queryRunner.query(`
      CREATE TABLE editor_board (
        id              uuid PRIMARY KEY,
        version         integer NOT NULL,
        status          text NOT NULL,
        headline        text NOT NULL,
        section         text NOT NULL,
        tags            text[] NOT NULL,
        authors         jsonb NOT NULL,
        assignees       jsonb NOT NULL,
        claim_ratings   jsonb NOT NULL,
        claims_total    integer NOT NULL,
        claims_pending  integer NOT NULL,
        claims_flagged  integer NOT NULL,
        publish_at      timestamptz,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    // The board's order (most recently changed first) is its keyset: (updated_at, id) descending.
    await queryRunner.query(`CREATE INDEX editor_board_recent_first ON editor_board (updated_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX editor_board_by_status ON editor_board (status, updated_at DESC, id DESC)`);
    // assignee filter: assignees @> '[{"id": ...}]'
    await queryRunner.query(`CREATE INDEX editor_board_by_assignee ON editor_board USING gin (assignees jsonb_path_ops)`);
    await queryRunner.query(streamsTableDdl(streamsTableOf(editorBoardProjection)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${streamsTableOf(editorBoardProjection)}`);
    await queryRunner.query(`DROP TABLE editor_board`);
  }
}
