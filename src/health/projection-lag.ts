import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { commitSafe, isAfterCheckpoint, laterCheckpoint, LOG_START, type LogCheckpoint } from '#libs/event-store';
import { DEAD_LETTERS_TABLE, rebuildRunningSql, streamsTableOf, type Projection } from '#libs/projections';
import { PROJECTIONS } from '../projections/projection-registry.js';
import { shortCache } from './short-cache.js';

/** How far one projection is behind the store's log. */
export interface ProjectionLagReport {
  name: string;
  /** Committed events of its stream types it has neither applied nor parked (capped: see LAG_COUNT_CAP). */
  eventsBehind: number;
  /** Age of the oldest of those events; 0 when there are none. */
  secondsBehind: number;
  /** Events in projection_dead_letters: not applied, waiting for an operator. */
  parkedEvents: number;
  rebuilding: boolean;
}

/** Counting stops here, so a projection far behind costs a bounded query. */
export const LAG_COUNT_CAP = 10_000;
/** Health probes and metric scrapes within this window share one computation. */
const CACHE_MS = 1000;

/**
 * Committed events after `cursor` that the projection has not applied and not parked, oldest
 * first: also those the commit-safe log still holds back behind a transaction open elsewhere (the
 * projection cannot have them yet, and is behind all the same). The cursor moves only within the
 * commit-safe log: `oldest` and `head` are commit-safe, so no event can appear before them later.
 */
const pendingSql = (projection: Projection) => `
  WITH pending AS (
    SELECT e.transaction_id, e.position, e.recorded_at
      FROM events e
      LEFT JOIN ${streamsTableOf(projection)} s ON s.stream_id = e.stream_id
     WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
       AND e.stream_type = ANY($3::text[])
       AND e.stream_version > coalesce(s.version, 0)
       AND NOT EXISTS (SELECT 1 FROM ${DEAD_LETTERS_TABLE} d WHERE d.projection = $4 AND d.event_id = e.event_id)
     ORDER BY e.transaction_id, e.position
     LIMIT $5
  ), oldest AS (
    SELECT transaction_id, position FROM pending WHERE ${commitSafe()} ORDER BY transaction_id, position LIMIT 1
  ), head AS (
    SELECT transaction_id, position FROM events
     WHERE ${commitSafe()}
     ORDER BY transaction_id DESC, position DESC LIMIT 1
  )
  SELECT (SELECT count(*)::int FROM pending) AS behind,
         (SELECT extract(epoch FROM now() - min(recorded_at))::float8 FROM pending) AS seconds,
         (SELECT transaction_id::text FROM oldest) AS oldest_transaction_id,
         (SELECT position FROM oldest) AS oldest_position,
         (SELECT transaction_id::text FROM head) AS head_transaction_id,
         (SELECT position FROM head) AS head_position`;

/** Lag cursors shared by every process (see ProjectionLag). */
const LAG_CURSORS_TABLE = 'projection_lag_cursors';

/**
 * Stores cursors that moved, only ever forward, and only for the rebuild they were measured
 * against: a cursor measured before a rebuild that has since committed is dropped.
 */
const saveCursorsSql = `
  INSERT INTO ${LAG_CURSORS_TABLE} AS l (projection, transaction_id, position, rebuilt_at)
  SELECT u.projection, u.transaction_id, u.position, u.rebuilt_at
    FROM unnest($1::text[], $2::xid8[], $3::bigint[], $4::timestamptz[]) AS u(projection, transaction_id, position, rebuilt_at)
   WHERE u.rebuilt_at IS NOT DISTINCT FROM (SELECT c.rebuilt_at FROM projection_checkpoints c WHERE c.projection = u.projection)
  ON CONFLICT (projection) DO UPDATE
     SET transaction_id = excluded.transaction_id, position = excluded.position, rebuilt_at = excluded.rebuilt_at, updated_at = now()
   WHERE l.rebuilt_at IS DISTINCT FROM excluded.rebuilt_at
      OR (l.transaction_id, l.position) < (excluded.transaction_id, excluded.position)`;

/**
 * Measures every projection against the store's log by stream version, so it works the same
 * whether the projection is fed from Kafka or from the log, and in any process (it only reads
 * PostgreSQL).
 *
 * Scanning the whole log each time would grow with the log, so each projection has a cursor: a
 * point of the commit-safe log order at or before which every event has been applied or parked.
 * Events only ever become applied, so the cursor only moves forward (to just before the oldest
 * pending event, or to the head when nothing is pending) and each check reads from there. The
 * cursor holds for every process, so it is kept in projection_lag_cursors as well as in memory:
 * a new process starts where the others got to. (Neither projection_checkpoints, which Kafka-fed
 * projections move only on a rebuild, nor the highest position applied will do: partitions are
 * applied side by side, so events before that position may still be pending.) A rebuild swaps the
 * tables, so it voids the cursors and sends the measurement back to the projection's own
 * checkpoint.
 */
@Injectable()
export class ProjectionLag {
  private readonly logger = new Logger(ProjectionLag.name);
  private readonly cursors = new Map<string, { cursor: LogCheckpoint; rebuiltAt: string | null }>();
  readonly report: () => Promise<ProjectionLagReport[]> = shortCache(CACHE_MS, () => this.measure());

  constructor(private readonly dataSource: DataSource) {}

  private async measure(): Promise<ProjectionLagReport[]> {
    const rows: CheckpointRow[] = await this.dataSource.query(
      `SELECT projection, c.transaction_id::text AS transaction_id, c.position, c.rebuilt_at::text AS rebuilt_at,
              ${rebuildRunningSql('c')} AS rebuilding,
              l.transaction_id::text AS cursor_transaction_id, l.position AS cursor_position,
              l.rebuilt_at::text AS cursor_rebuilt_at
         FROM projection_checkpoints c FULL JOIN ${LAG_CURSORS_TABLE} l USING (projection)`,
    );
    const parkedRows: { projection: string; parked: number }[] = await this.dataSource.query(
      `SELECT projection, count(*)::int AS parked FROM ${DEAD_LETTERS_TABLE} GROUP BY projection`,
    );
    const checkpoints = new Map(rows.map((row) => [row.projection, row]));
    const parked = new Map(parkedRows.map((row) => [row.projection, row.parked]));
    const reports: ProjectionLagReport[] = [];
    const moved: { projection: string; cursor: LogCheckpoint; rebuiltAt: string | null }[] = [];
    for (const projection of PROJECTIONS) {
      const checkpoint = checkpoints.get(projection.name);
      const { eventsBehind, secondsBehind, movedTo } = await this.lagOf(projection, checkpoint);
      if (movedTo) moved.push({ projection: projection.name, cursor: movedTo, rebuiltAt: checkpoint?.rebuilt_at ?? null });
      reports.push({
        name: projection.name,
        eventsBehind,
        secondsBehind,
        parkedEvents: parked.get(projection.name) ?? 0,
        rebuilding: checkpoint?.rebuilding ?? false,
      });
    }
    await this.saveCursors(moved);
    return reports;
  }

  private async lagOf(projection: Projection, checkpoint: CheckpointRow | undefined) {
    // The log checkpoint (moved by log-fed batches and by rebuilds) is always a safe start.
    const floor: LogCheckpoint =
      checkpoint?.transaction_id != null
        ? { transactionId: checkpoint.transaction_id, position: Number(checkpoint.position) }
        : LOG_START;
    const rebuiltAt = checkpoint?.rebuilt_at ?? null;
    const shared: LogCheckpoint | undefined =
      checkpoint?.cursor_transaction_id != null && checkpoint.cursor_rebuilt_at === rebuiltAt
        ? { transactionId: checkpoint.cursor_transaction_id, position: Number(checkpoint.cursor_position) }
        : undefined;
    const known = this.cursors.get(projection.name);
    let from = shared ? laterCheckpoint(floor, shared) : floor;
    if (known && known.rebuiltAt === rebuiltAt) from = laterCheckpoint(from, known.cursor);

    const [row] = await this.dataSource.query(pendingSql(projection), [
      from.transactionId,
      from.position,
      projection.streamTypes,
      projection.name,
      LAG_COUNT_CAP,
    ]);
    let next = from;
    if (row.oldest_transaction_id !== null) {
      // Just before the oldest pending event: (t, p - 1) sorts right before (t, p).
      next = laterCheckpoint(from, { transactionId: row.oldest_transaction_id, position: Number(row.oldest_position) - 1 });
    } else if (row.head_transaction_id !== null) {
      next = laterCheckpoint(from, { transactionId: row.head_transaction_id, position: Number(row.head_position) });
    }
    this.cursors.set(projection.name, { cursor: next, rebuiltAt });
    return {
      eventsBehind: row.behind as number,
      secondsBehind: row.behind > 0 ? Math.max(0, Number(row.seconds)) : 0,
      // Saved when past what is stored (or, with nothing stored, past the checkpoint).
      movedTo: isAfterCheckpoint(next, shared ?? floor) ? next : undefined,
    };
  }

  /** Best effort: a cursor not saved only makes the next new process read a little more. */
  private async saveCursors(moved: { projection: string; cursor: LogCheckpoint; rebuiltAt: string | null }[]): Promise<void> {
    if (moved.length === 0) return;
    try {
      await this.dataSource.query(saveCursorsSql, [
        moved.map((entry) => entry.projection),
        moved.map((entry) => entry.cursor.transactionId),
        moved.map((entry) => entry.cursor.position),
        moved.map((entry) => entry.rebuiltAt),
      ]);
    } catch (error) {
      this.logger.warn({ msg: 'saving projection lag cursors failed', err: error });
    }
  }
}

interface CheckpointRow {
  projection: string;
  /** Null (as are the other checkpoint columns) when the projection has a lag cursor but no checkpoint row. */
  transaction_id: string | null;
  position: string | null;
  rebuilt_at: string | null;
  rebuilding: boolean;
  cursor_transaction_id: string | null;
  cursor_position: string | null;
  cursor_rebuilt_at: string | null;
}
