import { reactionStreamId } from '#libs/contracts';
import { EventStore } from '#libs/event-store';
import { genericPlanOf } from '#libs/testing';
import { projectionDatabase, type ProjectionDatabase } from '../../test/support/projection-database.js';
import { Clock } from '../common/clock.js';
import type { ReactableArticles } from './reactable-articles.js';
import { ReactionStream, SNAPSHOTS } from './reaction-stream.js';

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

describe('ReactionStream (PostgreSQL)', () => {
  let database: ProjectionDatabase;
  let store: EventStore;
  let stream: ReactionStream;
  const articleId = '0199d0c4-0000-7000-8000-0000000000c1';
  // Whether the story is published is ReactableArticles' business, tested with the endpoints.
  const published = { assertReactable: async () => undefined } as unknown as ReactableArticles;

  beforeAll(async () => {
    database = await projectionDatabase();
    store = new EventStore(database.dataSource);
    stream = new ReactionStream(database.dataSource, store, published, new Clock());
  });
  afterAll(async () => database?.close());

  it("retries once when the same reader's request in another process wrote first: both land, as if one after the other", async () => {
    const readerId = 'reader-race-0001';
    // Two API processes: both reads go out at once, both decide on the empty stream, one append loses.
    const otherProcess = new ReactionStream(database.dataSource, store, published, new Clock());
    const answers = await Promise.all([
      stream.execute({ articleId, readerId }, { type: 'React', kind: 'like' }),
      otherProcess.execute({ articleId, readerId }, { type: 'React', kind: 'love' }),
    ]);
    const events = await store.readStream(reactionStreamId(articleId, readerId));
    expect(events.map((event) => event.type)).toEqual(['ReactionAdded', 'ReactionChanged']);
    const last = events[1].data as { kind: string; previousKind: string };
    expect(answers.map((answer) => answer.yourReaction).sort()).toEqual(['like', 'love']);
    expect(answers.find((answer) => answer.position === events[1].position)?.yourReaction).toBe(last.kind);
  });

  it("lets one reader's simultaneous requests in one process take turns: every one lands, none is refused", async () => {
    const readerId = 'reader-burst-0001';
    const kinds = ['like', 'love', 'wow', 'sad', 'angry', 'funny'] as const;
    const answers = await Promise.all(kinds.map((kind) => stream.execute({ articleId, readerId }, { type: 'React', kind })));
    // In the order they arrived, each decided on the stream its predecessor left.
    expect(answers.map((answer) => answer.yourReaction)).toEqual([...kinds]);
    const events = await store.readStream(reactionStreamId(articleId, readerId));
    expect(events.map((event) => event.type)).toEqual(['ReactionAdded', ...kinds.slice(1).map(() => 'ReactionChanged')]);
    expect(events.map((event) => event.position)).toEqual(answers.map((answer) => answer.position));
  });
});
