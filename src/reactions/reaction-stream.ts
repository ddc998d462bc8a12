import { Injectable, Optional } from '@nestjs/common';
import AsyncLock from 'async-lock';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import {
  REACTION_KINDS,
  REACTION_STREAM_TYPE,
  reactionStreamId,
  type ReactionCounts,
  type ReactionEvent,
  type ReactionKind,
} from '#libs/contracts';
import { EventStore, queryPrepared, WrongExpectedVersionError, type EventMetadata, type PreparedStatement } from '#libs/event-store';
import { ProblemError } from '#libs/http';
import { streamsTableOf } from '#libs/projections';
import { Clock } from '../common/clock.js';
import { EventMetrics } from '../metrics/event-metrics.js';
import type { ReactionCommand } from './domain/reaction.commands.js';
import { decide, evolve, initialState, type ReactionState } from './domain/reaction.decider.js';
import {
  REACTION_COUNT_COLUMNS,
  REACTION_COUNTS_TABLE,
  reactionCountsProjection,
} from './reaction-counts.projection.js';
import { ReactableArticles } from './reactable-articles.js';

/** Who reacts to which article, and the request that carries it. */
export interface ReactionWriteContext {
  articleId: string;
  readerId: string;
  /** The request: the reaction's correlation id and its cause. */
  correlationId?: string;
}

export type ReactionIntent = { type: 'React'; kind: ReactionKind } | { type: 'RemoveReaction' };

/** What both reaction endpoints answer. */
export interface ReactionAnswer {
  articleId: string;
  /** The article's counts, with this reader's own reaction counted exactly once. */
  reactions: ReactionCounts;
  yourReaction: ReactionKind | null;
  /** Global position of the event written; null when nothing changed. */
  position: number | null;
}

type CountColumns = Record<ReactionKind, number | null>;

interface Snapshot extends CountColumns {
  /** The reader's stream: its last event (all null when the stream is empty). */
  version: number | null;
  type: ReactionEvent['type'] | null;
  data: ReactionEvent['data'] | null;
  /** The last event of the stream the counts projection has applied. */
  applied_type: ReactionEvent['type'] | null;
  applied_data: ReactionEvent['data'] | null;
}

/**
 * One round trip for everything a batch of reactions needs to read, from one snapshot: per
 * request, the reader's stream (its last event is its whole state, see evolve), the article's
 * counts, and the version of the reader's stream those counts include, so that the counts can be
 * corrected for the reader's own reaction whether or not the projection has caught up with it.
 *
 * Every lookup is a LATERAL subquery with LIMIT 1, so it stays an index probe per request: as a
 * join, a plan made while the tables were small could hash the whole events table on every call.
 */
export const SNAPSHOTS: PreparedStatement = {
  name: 'reaction_snapshots',
  text: `
  SELECT latest.stream_version AS version, latest.type, latest.data,
         applied.type AS applied_type, applied.data AS applied_data,
         ${REACTION_COUNT_COLUMNS.map((column) => `counts.${column}`).join(', ')}
    FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS request(stream_id, article_id, ord)
    LEFT JOIN LATERAL (
      SELECT stream_version, type, data FROM events WHERE stream_id = request.stream_id ORDER BY stream_version DESC LIMIT 1
    ) AS latest ON true
    LEFT JOIN LATERAL (
      SELECT e.type, e.data
        FROM ${streamsTableOf(reactionCountsProjection)} AS seen
        JOIN events AS e ON e.stream_id = seen.stream_id AND e.stream_version = seen.version
       WHERE seen.stream_id = request.stream_id
       LIMIT 1
    ) AS applied ON true
    LEFT JOIN LATERAL (
      SELECT ${REACTION_COUNT_COLUMNS.join(', ')} FROM ${REACTION_COUNTS_TABLE} WHERE article_id = request.article_id LIMIT 1
    ) AS counts ON true
   ORDER BY request.ord`,
};

interface SnapshotKey {
  streamId: string;
  articleId: string;
}

const stateAfter = (type: ReactionEvent['type'] | null, data: ReactionEvent['data'] | null): ReactionState =>
  type === null ? initialState() : evolve(initialState(), { type, data } as ReactionEvent);

/**
 * Reads, decides and appends for one (article, reader) stream, then answers the counts. Two
 * statements when something changes (snapshot, append), one when nothing does, each shared with
 * the other requests that arrive together; the article gate adds one about once a second per
 * article (ReactableArticles).
 */
@Injectable()
export class ReactionStream {
  /*
   * The reads of the requests that arrive together (in one turn of the event loop) go to the
   * database as one statement: under a flood, one round trip serves dozens of readers. No cache:
   * every read is fresh.
   */
  // Keyed by the reader's stream; a key's queue is as long as one reader's burst (rate limited).
  private readonly turns = new AsyncLock({ maxPending: Infinity });

  private readonly snapshots = new DataLoader<SnapshotKey, Snapshot>(
    async (keys) =>
      queryPrepared<Snapshot>(this.dataSource, SNAPSHOTS, [keys.map((key) => key.streamId), keys.map((key) => key.articleId)]),
    { cache: false, maxBatchSize: 500, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly articles: ReactableArticles,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: EventMetrics,
  ) {}

  async execute(context: ReactionWriteContext, intent: ReactionIntent): Promise<ReactionAnswer> {
    await this.articles.assertReactable(context.articleId);
    // One reader's requests to one story take turns in this process (a double click, a page open
    // twice), so they never race each other here; readers do not wait for one another.
    const streamId = reactionStreamId(context.articleId, context.readerId);
    return this.turns.acquire(streamId, () => this.executeWithRetry(context, intent));
  }

  private async executeWithRetry(context: ReactionWriteContext, intent: ReactionIntent): Promise<ReactionAnswer> {
    try {
      return await this.attempt(context, intent);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    // The same reader's request in another API process wrote first. Unlike an article write
    // (If-Match, 412), retrying is right here: the reader never saw a version, the command says
    // what their reaction should become, and the decision is taken again on the fresh stream, so
    // the retry gives exactly what the two requests would give one after the other: no lost
    // change, no double count. Once only: losing again means a burst from one reader across
    // processes, which gets a 409.
    try {
      return await this.attempt(context, intent);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      throw new ProblemError(409, 'concurrent-modification', 'Concurrent modification',
        'Other requests of this reader changed the reaction at the same time; send it again.');
    }
  }

  private async attempt(context: ReactionWriteContext, intent: ReactionIntent): Promise<ReactionAnswer> {
    const { articleId, readerId } = context;
    const streamId = reactionStreamId(articleId, readerId);
    const snapshot = await this.snapshots.load({ streamId, articleId });
    const state = stateAfter(snapshot.type, snapshot.data);
    const events = decide(this.commandOf(context, intent), state);
    if (events.length === 0) {
      return { articleId, reactions: countsSeenBy(snapshot, state), yourReaction: state, position: null };
    }

    const metadata: EventMetadata = {
      actor: { sub: `reader:${readerId}`, name: 'Reader', roles: [] },
      correlationId: context.correlationId,
      causationId: context.correlationId,
    };
    const result = await this.store.appendToStream(streamId, events, {
      streamType: REACTION_STREAM_TYPE,
      expectedVersion: snapshot.version ?? 0,
      metadata,
    });
    this.metrics?.recordAppended(REACTION_STREAM_TYPE, events);
    const after = events.reduce(evolve, state);
    return { articleId, reactions: countsSeenBy(snapshot, after), yourReaction: after, position: result.lastPosition };
  }

  private commandOf({ articleId, readerId }: ReactionWriteContext, intent: ReactionIntent): ReactionCommand {
    const now = this.clock.now();
    return intent.type === 'React'
      ? { type: 'React', data: { articleId, readerId, kind: intent.kind, now } }
      : { type: 'RemoveReaction', data: { articleId, readerId, now } };
  }
}

/**
 * The projection's counts with the reader's reaction as the projection knows it (their state at
 * the applied version) replaced by their reaction now: exactly once, however far behind it is.
 */
function countsSeenBy(snapshot: Snapshot, readerNow: ReactionState): ReactionCounts {
  const counts = {} as ReactionCounts;
  for (const kind of REACTION_KINDS) counts[kind] = snapshot[kind] ?? 0;
  const counted = stateAfter(snapshot.applied_type, snapshot.applied_data);
  if (counted !== null) counts[counted] -= 1;
  if (readerNow !== null) counts[readerNow] += 1;
  return counts;
}
