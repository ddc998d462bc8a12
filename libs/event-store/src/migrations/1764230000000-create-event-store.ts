import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateEventStore1764230000000 implements MigrationInterface {
  name = 'CreateEventStore1764230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Uniqueness of (stream_id, stream_version) is what refuses a second writer at the same version.
    // transaction_id lets readers of the global log wait for in-flight transactions instead of
    // skipping their events (see readLog).
    await queryRunner.query(`
      CREATE TABLE events (
        position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id        uuid NOT NULL,
        stream_id       text NOT NULL,
        stream_type     text NOT NULL,
        stream_version  integer NOT NULL CHECK (stream_version > 0),
        type            text NOT NULL,
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_event_id_unique UNIQUE (event_id),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    await queryRunner.query(`CREATE INDEX events_global_order ON events (transaction_id, position)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE events`);
  }
}
