import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProjectionRunnerTables1764230200000 implements MigrationInterface {
  name = 'CreateProjectionRunnerTables1764230200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per projection: where it stands in the log (log-fed mode) and how fresh it is.
    await queryRunner.query(`
      CREATE TABLE projection_checkpoints (
        projection      text PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT '0',
        position        bigint NOT NULL DEFAULT 0,
        events_applied  bigint NOT NULL DEFAULT 0,
        last_event_at   timestamptz,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        rebuilt_at      timestamptz,
        -- Set while a rebuild runs, so that two rebuilds of one projection never overlap.
        rebuilding_since timestamptz
      )`);
    // Events a projection could not apply, parked per article so the other articles go on.
    await queryRunner.query(`
      CREATE TABLE projection_dead_letters (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        projection      text NOT NULL,
        key             text NOT NULL,
        event_id        uuid NOT NULL,
        stream_id       text NOT NULL,
        stream_version  integer NOT NULL,
        position        bigint NOT NULL,
        type            text NOT NULL,
        data            jsonb NOT NULL,
        error           text NOT NULL,
        parked_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT projection_dead_letters_event_unique UNIQUE (projection, event_id)
      )`);
    await queryRunner.query(`CREATE INDEX projection_dead_letters_by_key ON projection_dead_letters (projection, key)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE projection_dead_letters`);
    await queryRunner.query(`DROP TABLE projection_checkpoints`);
  }
}
