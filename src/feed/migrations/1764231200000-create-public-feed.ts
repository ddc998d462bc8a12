import type { MigrationInterface, QueryRunner } from 'typeorm';
import { streamsTableDdl, streamsTableOf } from '#libs/projections';
import { publicFeedProjection } from '../public-feed.projection.js';

export class CreatePublicFeed1764231200000 implements MigrationInterface {
  name = 'CreatePublicFeed1764231200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Every article from its draft on; public while published_at is set and retraction is null.
    await queryRunner.query(`
      CREATE TABLE public_feed (
        id            uuid PRIMARY KEY,
        version       integer NOT NULL,
        slug          text UNIQUE,
        headline      text NOT NULL,
        standfirst    text,
        body          text NOT NULL,
        section       text NOT NULL,
        tags          text[] NOT NULL,
        authors       jsonb NOT NULL,
        claims        jsonb NOT NULL,
        corrections   jsonb NOT NULL,
        published_at  timestamptz,
        updated_at    timestamptz,
        retraction    jsonb
      )`);
    // The feed's order (newest first) is its keyset: (published_at, id) descending.
    await queryRunner.query(`
      CREATE INDEX public_feed_newest_first ON public_feed (published_at DESC, id DESC)
        WHERE published_at IS NOT NULL AND retraction IS NULL`);
    // max(updated_at) is the feed's Last-Modified.
    await queryRunner.query(`CREATE INDEX public_feed_last_change ON public_feed (updated_at)`);
    await queryRunner.query(streamsTableDdl(streamsTableOf(publicFeedProjection)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${streamsTableOf(publicFeedProjection)}`);
    await queryRunner.query(`DROP TABLE public_feed`);
  }
}
