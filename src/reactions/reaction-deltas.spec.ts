import type { ReactionKind } from '#libs/contracts';
import type { ProjectedEvent, ProjectionContext } from '#libs/projections';
import { reactionCountsProjection } from './reaction-counts.projection.js';
import { reactionDeltas, type CountedEvent } from './reaction-deltas.js';

const A = '0199d0c4-0000-7000-8000-00000000000a';
const B = '0199d0c4-0000-7000-8000-00000000000b';
const t = (second: number) => new Date(Date.UTC(2025, 11, 2, 10, 0, second));

const added = (articleId: string, kind: ReactionKind, at = t(0)): CountedEvent => ({
  type: 'ReactionAdded',
  data: { articleId, readerId: 'reader-01', kind, reactedAt: at.toISOString() },
  recordedAt: at,
});
const changed = (articleId: string, previousKind: ReactionKind, kind: ReactionKind, at = t(0)): CountedEvent => ({
  type: 'ReactionChanged',
  data: { articleId, readerId: 'reader-01', kind, previousKind, reactedAt: at.toISOString() },
  recordedAt: at,
});
const removed = (articleId: string, previousKind: ReactionKind, at = t(0)): CountedEvent => ({
  type: 'ReactionRemoved',
  data: { articleId, readerId: 'reader-01', previousKind, removedAt: at.toISOString() },
  recordedAt: at,
});

describe('reactionDeltas', () => {
  it('sums a batch per article: added +1, changed -1 previous +1, removed -1 previous', () => {
    const deltas = reactionDeltas([
      added(A, 'like', t(1)),
      added(A, 'like', t(2)),
      changed(A, 'like', 'wow', t(3)),
      added(B, 'sad', t(1)),
      removed(A, 'wow', t(5)),
      added(A, 'angry', t(4)),
    ]);
    //                                like dislike love funny angry sad wow
    expect(deltas.get(A)).toEqual({ deltas: [1, 0, 0, 0, 1, 0, 0], lastEventAt: t(5) });
    expect(deltas.get(B)).toEqual({ deltas: [0, 0, 0, 0, 0, 1, 0], lastEventAt: t(1) });
  });

  it('nets out a reader who adds and removes within one batch', () => {
    expect(reactionDeltas([added(A, 'love'), changed(A, 'love', 'funny'), removed(A, 'funny')]).get(A)?.deltas).toEqual([
      0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('moves nothing for an event type it does not know', () => {
    const unknown = { type: 'ReactionFlagged', data: { articleId: A }, recordedAt: t(9) } as unknown as CountedEvent;
    expect(reactionDeltas([added(A, 'like', t(1)), unknown]).get(A)).toEqual({ deltas: [1, 0, 0, 0, 0, 0, 0], lastEventAt: t(1) });
  });
});

describe('reactionCountsProjection.apply', () => {
  it('writes a whole batch as one statement, through the table name the runner gives it', async () => {
    const statements: { sql: string; params?: unknown[] }[] = [];
    const context: ProjectionContext = {
      query: async (sql, params) => {
        statements.push({ sql, params });
        return [];
      },
      table: (name) => `${name}__rebuild`,
    };
    const events = [added(A, 'like'), added(B, 'wow'), changed(A, 'like', 'love')].map(
      (event, index) => ({ ...event, key: event.data.articleId, streamVersion: index + 1 }) as unknown as ProjectedEvent,
    );
    await reactionCountsProjection.apply(events, context);
    expect(statements).toHaveLength(1);
    const [{ sql, params }] = statements;
    expect(sql).toContain('INSERT INTO reaction_counts__rebuild');
    expect(sql).toContain('"like" = reaction_counts__rebuild."like" + EXCLUDED."like"');
    expect(sql).not.toMatch(/\breaction_counts\b(?!__rebuild)/);
    expect(params).toEqual([[A, B], [0, 0], [0, 0], [1, 0], [0, 0], [0, 0], [0, 0], [0, 1], [t(0), t(0)]]);

    await reactionCountsProjection.apply([], context);
    expect(statements).toHaveLength(1);
  });
});
