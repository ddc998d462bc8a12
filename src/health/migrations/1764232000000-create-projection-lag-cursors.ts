import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProjectionLagCursors1764232000000 implements MigrationInterface {
  name = 'CreateProjectionLagCursors1764232000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Where lag measurement may start per projection (every event at or before it is applied or
    // parked), shared by every process so that a new one need not walk the log from its start.
    // rebuilt_at is the projection's rebuild the cursor belongs to: another rebuild voids it.
    await queryRunner.query(`
      CREATE TABLE projection_lag_cursors (
        projection      text PRIMARY KEY,
        transaction_id  xid8 NOT NULL,
        position        bigint NOT NULL,
        rebuilt_at      timestamptz,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE projection_lag_cursors`);
  }
}
