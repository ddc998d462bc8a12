import { DataSource } from 'typeorm';
import { REACTION_KINDS, reactionStreamId, type ReactionCounts, type ReactionKind } from '#libs/contracts';
import { EVENT_STORE_MIGRATIONS, EventStore, LOG_START, type EventMetadata, type RecordedEvent } from '#libs/event-store';
import {
  CreateProjectionRunnerTables1764230200000,
  fromRecordedEvent,
  LogFedProjection,
  ProjectionApplier,
  ProjectionRebuilder,
  type ProjectedEvent,
} from '#libs/projections';
import { createTestDatabase, type TestDatabase } from '#libs/testing';
import type { ReactionCommand } from './domain/reaction.commands.js';
import { decide, evolve, type ReactionState } from './domain/reaction.decider.js';
import { CreateReactionCounts1764231500000 } from './migrations/1764231500000-create-reaction-counts.js';
import { reactionCountsProjection } from './reaction-counts.projection.js';

const metadata: EventMetadata = { actor: { sub: 'reader:test', name: 'Reader', roles: [] } };
const ARTICLES = ['0199d0c4-0000-7000-8000-0000000000a1', '0199d0c4-0000-7000-8000-0000000000a2', '0199d0c4-0000-7000-8000-0000000000a3'];

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('reaction-counts projection (PostgreSQL, through the runner)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: EventStore;
  /** Every reader's reaction now, as the decider sees it: the expected counts come from these. */
  const states = new Map<string, { articleId: string; state: ReactionState; version: number }>();

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      migrations: [...EVENT_STORE_MIGRATIONS, CreateProjectionRunnerTables1764230200000, CreateReactionCounts1764231500000],
      extra: { max: 4 },
    }).initialize();
    await dataSource.runMigrations();
    store = new EventStore(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** Runs a command through the decider and appends what it decides, like the handler does. */
  async function run(articleId: string, readerId: string, command: { type: 'React'; kind: ReactionKind } | { type: 'RemoveReaction' }) {
    const streamId = reactionStreamId(articleId, readerId);
    const current = states.get(streamId) ?? { articleId, state: null, version: 0 };
    const now = new Date();
    const full = (command.type === 'React'
      ? { type: 'React', data: { articleId, readerId, kind: command.kind, now } }
      : { type: 'RemoveReaction', data: { articleId, readerId, now } }) as ReactionCommand;
    const events = decide(full, current.state);
    if (events.length === 0) return;
    await store.appendToStream(streamId, events, { streamType: 'reaction', expectedVersion: current.version, metadata });
    states.set(streamId, { articleId, state: events.reduce(evolve, current.state), version: current.version + events.length });
  }

  const expectedCounts = (): Record<string, ReactionCounts> => {
    const expected: Record<string, ReactionCounts> = {};
    for (const { articleId, state } of states.values()) {
      expected[articleId] ??= Object.fromEntries(REACTION_KINDS.map((kind) => [kind, 0])) as ReactionCounts;
      if (state !== null) expected[articleId][state] += 1;
    }
    return expected;
  };

  const counts = async (): Promise<Record<string, ReactionCounts>> => {
    const rows = await dataSource.query(`SELECT article_id, "like", dislike, love, funny, angry, sad, wow FROM reaction_counts`);
    return Object.fromEntries(rows.map(({ article_id, ...row }: { article_id: string } & ReactionCounts) => [article_id, row]));
  };

  /**
   * Every reaction event written. The commit-safe log hides events for as long as any older
   * transaction is open on the server (other specs run alongside), so wait until it shows them all.
   */
  const allEvents = async (): Promise<RecordedEvent[]> => {
    const [{ written }] = await dataSource.query(`SELECT count(*)::int AS written FROM events WHERE stream_type = 'reaction'`);
    for (;;) {
      const events = await store.readLog(LOG_START, { limit: 100_000, streamTypes: ['reaction'] });
      if (events.length >= written) return events;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('counts exactly after a mixed stream of adds, changes and removes, applied in small batches', async () => {
    const next = random(42);
    for (let i = 0; i < 600; i++) {
      const articleId = ARTICLES[Math.floor(next() * ARTICLES.length)];
      const readerId = `reader-${String(Math.floor(next() * 80)).padStart(4, '0')}`;
      const roll = next();
      if (roll < 0.2) await run(articleId, readerId, { type: 'RemoveReaction' });
      else await run(articleId, readerId, { type: 'React', kind: REACTION_KINDS[Math.floor(roll * 100) % REACTION_KINDS.length] });
    }
    const events = await allEvents();
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(['ReactionAdded', 'ReactionChanged', 'ReactionRemoved']));

    const feed = new LogFedProjection(dataSource, store, reactionCountsProjection, { batchSize: 37, pollMs: 10 });
    expect(await feed.catchUp()).toBe(events.length);
    expect(await counts()).toEqual(expectedCounts());
  });

  it('changes nothing when events are redelivered, whole or out of order', async () => {
    const before = await counts();
    const events = (await allEvents()).map(fromRecordedEvent);
    const applier = new ProjectionApplier(reactionCountsProjection);
    const redeliver = (batch: ProjectedEvent[]) =>
      dataSource.transaction(async (tx) => {
        await applier.lock(tx, 'exclusive');
        return applier.applyBatch(tx, batch);
      });

    expect(await redeliver(events)).toEqual({ applied: 0, skipped: events.length, parked: 0, lastEventAt: null });
    expect(await redeliver([...events.slice(100, 200)].reverse())).toEqual({ applied: 0, skipped: 100, parked: 0, lastEventAt: null });
    expect(await counts()).toEqual(before);

    // New events mixed into a redelivered batch: only the new ones count.
    const newFrom = (await allEvents()).length;
    await run(ARTICLES[0], 'reader-new-1', { type: 'React', kind: 'wow' });
    await run(ARTICLES[0], 'reader-new-1', { type: 'React', kind: 'sad' });
    const fresh = (await allEvents()).slice(newFrom).map(fromRecordedEvent);
    expect(await redeliver([...events.slice(0, 50), ...fresh, ...fresh])).toEqual({ applied: 2, skipped: 52, parked: 0, lastEventAt: expect.any(Date) });
    expect(await counts()).toEqual(expectedCounts());
  });

  it("keeps an article's latest reaction time when a batch with an older one is applied after it", async () => {
    // recordedAt is the writing transaction's start and the log follows commit order, so a later
    // batch can carry an older time.
    const articleId = '0199d0c4-0000-7000-8000-0000000000b1';
    const reacted = async (readerId: string, at: string): Promise<ProjectedEvent> => {
      const events = decide({ type: 'React', data: { articleId, readerId, kind: 'love', now: new Date(at) } } as ReactionCommand, null);
      const { events: [written] } = await store.appendToStream(reactionStreamId(articleId, readerId), events, { streamType: 'reaction', expectedVersion: 0, metadata });
      return { ...fromRecordedEvent(written), recordedAt: new Date(at) };
    };
    const applier = new ProjectionApplier(reactionCountsProjection);
    const apply = (event: ProjectedEvent) =>
      dataSource.transaction(async (tx) => {
        await applier.lock(tx, 'exclusive');
        return applier.applyBatch(tx, [event]);
      });
    const updatedAt = async (): Promise<string> =>
      ((await dataSource.query('SELECT updated_at FROM reaction_counts WHERE article_id = $1', [articleId]))[0].updated_at as Date).toISOString();

    await apply(await reacted('reader-late-0002', '2026-11-28T10:00:02.000Z'));
    await apply(await reacted('reader-late-0001', '2026-11-28T10:00:01.000Z'));
    expect(await updatedAt()).toBe('2026-11-28T10:00:02.000Z');
    expect((await counts())[articleId].love).toBe(2);
    states.set(reactionStreamId(articleId, 'reader-late-0001'), { articleId, state: 'love', version: 1 });
    states.set(reactionStreamId(articleId, 'reader-late-0002'), { articleId, state: 'love', version: 1 });
  });

  it('rebuilds to the same counts', async () => {
    const live = await counts();
    // The rebuild reads the commit-safe log: let it show the events the test before wrote directly.
    await allEvents();
    await new ProjectionRebuilder(dataSource, store, { batchSize: 50 }).rebuild(reactionCountsProjection);
    expect(await counts()).toEqual(live);
  });
});
