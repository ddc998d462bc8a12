import { genericPlanOf } from '#libs/testing';
import { projectionDatabase, type ProjectionDatabase } from '../../test/support/projection-database.js';
import { SNAPSHOTS } from './reaction-stream.js';

describe('the reaction snapshots statement (PostgreSQL)', () => {
  let database: ProjectionDatabase;

  beforeAll(async () => {
    database = await projectionDatabase();
  });
  afterAll(async () => database?.close());

  it('probes indexes per request even when it is first planned on empty tables', async () => {
    // A connection keeps a statement's generic plan: one made while the tables were empty must not
    // hash or scan a whole table on every call once they have grown.
    const plan = await genericPlanOf(database.dataSource, SNAPSHOTS.text, ['text[]', 'uuid[]'], [
      `'{reader-stream}'`,
      `'{0199d0c4-0000-7000-8000-0000000000a1}'`,
    ]);
    expect(plan).toContain('Index Scan Backward using events_stream_version_unique on events');
    expect(plan).toContain('Index Scan using reaction_counts_pkey on reaction_counts');
    expect(plan).not.toMatch(/Seq Scan|Hash/);
  });
});
