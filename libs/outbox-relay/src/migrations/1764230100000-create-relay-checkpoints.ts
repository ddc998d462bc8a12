import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRelayCheckpoints1764230100000 implements MigrationInterface {
  name = 'CreateRelayCheckpoints1764230100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Where each relay stands in the global log: the last (transaction_id, position) pair
    // the broker has acknowledged (see EventStore.readLog).
    await queryRunner.query(`
      CREATE TABLE relay_checkpoints (
        name            text PRIMARY KEY,
        transaction_id  xid8 NOT NULL,
        position        bigint NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE relay_checkpoints`);
  }
}
