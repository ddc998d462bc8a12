import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The size of an event as readers get it (its data and metadata as JSON text), computed once by
 * PostgreSQL when the event is written: log batches are bounded by it. pg_column_size, the stored
 * size, is compressed: a long story of repetitive text stored a hundred times smaller than it is,
 * and a 4 MB batch by that measure filled the heap of a rebuild.
 */
export class AddEventPayloadBytes1764232200000 implements MigrationInterface {
  name = 'AddEventPayloadBytes1764232200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE events ADD COLUMN payload_bytes integer
        GENERATED ALWAYS AS (octet_length(data::text) + octet_length(metadata::text)) STORED`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE events DROP COLUMN payload_bytes`);
  }
}
