import type { DataSource, EntityManager } from 'typeorm';
import { isTransientDatabaseError, type LogCheckpoint, type SqlRunner } from '#libs/event-store';
import { groupByKey, streamsTableOf, type ProjectedEvent, type Projection, type ProjectionContext } from './projection.js';

export const DEAD_LETTERS_TABLE = 'projection_dead_letters';

/** Where a batch goes: the live tables, or the fresh copies a rebuild fills. */
export interface ApplyTarget {
  /** Logical table name -> physical table name. */
  tables: ReadonlyMap<string, string>;
  streamsTable: string;
  deadLettersTable: string;
  /** Count the batch on the projection's checkpoint row (live batches; a rebuild counts at its swap). */
  countOnCheckpoint: boolean;
}

export const liveTarget = (projection: Projection): ApplyTarget => ({
  tables: new Map(projection.tables.map((table) => [table, table])),
  streamsTable: streamsTableOf(projection),
  deadLettersTable: DEAD_LETTERS_TABLE,
  countOnCheckpoint: true,
});

export interface BatchResult {
  applied: number;
  /** Already applied before (redelivered or replayed). */
  skipped: number;
  /** Could not be applied, or queued behind an article's parked event. */
  parked: number;
  /** Recorded time of the newest applied event. */
  lastEventAt: Date | null;
}

export interface ApplyOptions {
  target?: ApplyTarget;
  /** Apply inside savepoints, article by article, parking what fails (see `transact`). */
  isolate?: boolean;
  /** Also move the projection's log checkpoint there (log-fed batches), never backwards. */
  moveCheckpointTo?: LogCheckpoint;
  /**
   * Leave the checkpoint row's counters to `count()` after the commit: batches that run side by
   * side (Kafka partitions) would otherwise queue on that one row until each other's commit.
   */
  countAfterCommit?: boolean;
}

/**
 * How batches of one projection exclude each other. `shared`: batches from Kafka partitions run
 * side by side, each holding its articles; `exclusive`: a log feeder, and a rebuild's swap, which
 * thereby waits for the batches in flight and holds off new ones.
 */
export type LockMode = 'shared' | 'exclusive';

/** The projection threw on a batch applied in one go; `transact` retries it isolating failures. */
export class ProjectionApplyError extends Error {
  constructor(override readonly cause: unknown) {
    super(`projection failed on a batch: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'ProjectionApplyError';
  }
}

interface Parked {
  event: ProjectedEvent;
  error: string;
}

const QUEUED = 'queued behind a parked event of this article';

/**
 * Applies batches to one projection exactly once per (stream, version): events at or below a
 * stream's applied version are dropped, the next version is applied, and an event past a gap is
 * parked rather than applied out of order. When the projection throws, the batch is applied again
 * article by article inside savepoints: the failing event and the later events of its article are
 * parked in the dead-letter table with the error, and every other article still applies. A
 * transient database error (`isTransientDatabaseError`) parks nothing: it fails the whole batch,
 * which its feeder retries later.
 *
 * A batch costs a handful of statements (locks, one lookup, the projection's own, one write), and
 * it writes only at the end: a transaction holds back the commit-safe log for every reader once
 * it has written, so the shorter that stretch the better.
 */
export class ProjectionApplier {
  constructor(readonly projection: Projection) {}

  /** Creates the projection's checkpoint row if it is missing. */
  async ensureCheckpoint(db: SqlRunner): Promise<void> {
    await db.query('INSERT INTO projection_checkpoints (projection) VALUES ($1) ON CONFLICT DO NOTHING', [this.projection.name]);
  }

  /** The projection's position in the log (log-fed batches and rebuilds). */
  async checkpoint(db: SqlRunner): Promise<LogCheckpoint> {
    const [row] = await db.query(
      'SELECT transaction_id::text AS transaction_id, position FROM projection_checkpoints WHERE projection = $1',
      [this.projection.name],
    );
    if (!row) throw new Error(`projection ${this.projection.name} has no checkpoint row; call ensureCheckpoint first`);
    return { transactionId: row.transaction_id, position: Number(row.position) };
  }

  /**
   * Transaction-scoped advisory locks (they take no transaction id): the projection's, shared or
   * exclusive, and one per article of the batch in a fixed order, so two batches never apply the
   * same article at once (a partition handed over in a rebalance) and never deadlock.
   */
  async lock(tx: SqlRunner, mode: LockMode, articleKeys: readonly string[] = []): Promise<void> {
    await tx.query(
      `SELECT ${mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}(hashtextextended($1, 0)),
              (SELECT count(pg_advisory_xact_lock(h))
                 FROM (SELECT DISTINCT hashtextextended($1 || '/' || key, 0) AS h FROM unnest($2::text[]) AS key ORDER BY h) AS sorted)`,
      [`projection:${this.projection.name}`, [...new Set(articleKeys)]],
    );
  }

  /**
   * Runs `batch` in a transaction. If the projection throws (other than a transient database
   * error), that transaction is rolled back and `batch` runs once more in a new one with `isolate`
   * set, where applyBatch parks what fails.
   * Applying in one go first keeps the common case free of savepoints.
   */
  async transact<T>(dataSource: DataSource, batch: (tx: EntityManager, isolate: boolean) => Promise<T>): Promise<T> {
    try {
      return await dataSource.transaction((tx) => batch(tx, false));
    } catch (error) {
      if (!(error instanceof ProjectionApplyError)) throw error;
      return dataSource.transaction((tx) => batch(tx, true));
    }
  }

  async applyBatch(tx: SqlRunner, batch: readonly ProjectedEvent[], options: ApplyOptions = {}): Promise<BatchResult> {
    const target = options.target ?? liveTarget(this.projection);
    const relevant = batch.filter((event) => this.projection.streamTypes.includes(event.streamType));
    const { ready, skipped, parked } = await this.sortOut(tx, relevant, target);

    let applied = ready;
    if (ready.length > 0) {
      const context = this.context(tx, target);
      if (options.isolate) applied = await this.applyIsolatingFailures(tx, ready, context, parked);
      else {
        try {
          await this.projection.apply(ready, context);
        } catch (error) {
          if (isTransientDatabaseError(error)) throw error;
          throw new ProjectionApplyError(error);
        }
      }
    }
    const lastEventAt = applied.reduce<Date | null>((latest, e) => (latest === null || e.recordedAt > latest ? e.recordedAt : latest), null);
    await this.record(tx, applied, target, options.moveCheckpointTo, options.countAfterCommit ? null : lastEventAt);
    await this.park(tx, parked, target);
    return { applied: applied.length, skipped, parked: parked.length, lastEventAt };
  }

  /**
   * Counts a committed batch on the checkpoint row (with `countAfterCommit`). Its change
   * (`updated_at`) tells readers such as the public cache that the read model moved, so it comes
   * after the commit. A batch that only repeats events already applied is counted too: a process
   * that died between a batch's commit and its count left that change unsaid, and the batch comes
   * again (its offsets were never committed) to say it.
   */
  async count(db: SqlRunner, result: BatchResult): Promise<void> {
    if (result.applied === 0 && result.skipped === 0) return;
    await db.query(
      `UPDATE projection_checkpoints
          SET events_applied = events_applied + $2, last_event_at = GREATEST(last_event_at, $3::timestamptz), updated_at = now()
        WHERE projection = $1`,
      [this.projection.name, result.applied, result.lastEventAt],
    );
  }

  private context(tx: SqlRunner, target: ApplyTarget): ProjectionContext {
    return {
      query: (sql, params) => tx.query(sql, params as unknown[]),
      table: (name) => {
        const physical = target.tables.get(name);
        if (!physical) throw new Error(`projection ${this.projection.name} does not own table ${name}`);
        return physical;
      },
    };
  }

  /**
   * One query for what the batch needs to know: each stream's applied version, and which of its
   * articles already have parked events. Drops repeats; parks an event that comes after a gap, and
   * every later event of its article (an earlier one, in the same batch or not, still applies: a
   * rebuild, which batches differently, must come to what the live batches came to).
   */
  private async sortOut(tx: SqlRunner, events: readonly ProjectedEvent[], target: ApplyTarget) {
    const ready: ProjectedEvent[] = [];
    const parked: Parked[] = [];
    const blockedKeys = new Set<string>();
    let skipped = 0;
    if (events.length === 0) return { ready, skipped, parked };

    const rows: { stream_id: string | null; version: number | null; parked_key: string | null }[] = await tx.query(
      `SELECT stream_id, version, NULL AS parked_key FROM ${target.streamsTable} WHERE stream_id = ANY($1::text[])
       UNION ALL
       SELECT DISTINCT NULL, NULL::int, key FROM ${target.deadLettersTable} WHERE projection = $2 AND key = ANY($3::text[])`,
      [[...new Set(events.map((event) => event.streamId))], this.projection.name, [...new Set(events.map((event) => event.key))]],
    );
    const known = new Map<string, number>();
    for (const row of rows) {
      if (row.parked_key !== null) blockedKeys.add(row.parked_key);
      else known.set(row.stream_id!, row.version!);
    }
    for (const event of events) {
      const current = known.get(event.streamId) ?? 0;
      if (event.streamVersion <= current) skipped++;
      else if (blockedKeys.has(event.key)) parked.push({ event, error: QUEUED });
      else if (event.streamVersion === current + 1) {
        ready.push(event);
        known.set(event.streamId, event.streamVersion);
      } else {
        parked.push({ event, error: `version ${event.streamVersion} arrived after version ${current}: missing events` });
        blockedKeys.add(event.key);
      }
    }
    return { ready, skipped, parked };
  }

  /** Article by article inside savepoints; within a failing article, event by event. */
  private async applyIsolatingFailures(
    tx: SqlRunner,
    events: ProjectedEvent[],
    context: ProjectionContext,
    parked: Parked[],
  ): Promise<ProjectedEvent[]> {
    const applied: ProjectedEvent[] = [];
    for (const articleEvents of groupByKey(events).values()) {
      if ((await this.tryApply(tx, articleEvents, context)) === true) {
        applied.push(...articleEvents);
        continue;
      }
      for (const [index, event] of articleEvents.entries()) {
        const outcome = await this.tryApply(tx, [event], context);
        if (outcome === true) {
          applied.push(event);
          continue;
        }
        parked.push({ event, error: outcome });
        for (const later of articleEvents.slice(index + 1)) parked.push({ event: later, error: QUEUED });
        break;
      }
    }
    return applied;
  }

  /**
   * true, or the error message; a savepoint keeps the transaction usable after a failure. A
   * transient error is thrown on: parking it would drop an event that was never at fault.
   */
  private async tryApply(tx: SqlRunner, events: ProjectedEvent[], context: ProjectionContext): Promise<true | string> {
    await tx.query('SAVEPOINT projection_apply');
    try {
      await this.projection.apply(events, context);
      await tx.query('RELEASE SAVEPOINT projection_apply');
      return true;
    } catch (error) {
      if (isTransientDatabaseError(error)) throw error;
      await tx.query('ROLLBACK TO SAVEPOINT projection_apply');
      return (error as Error)?.message ?? String(error);
    }
  }

  /**
   * The applied versions and the checkpoint's counters (and position) in one statement; without
   * `lastEventAt` (counted after the commit) only the versions and the position.
   */
  private async record(
    tx: SqlRunner,
    applied: ProjectedEvent[],
    target: ApplyTarget,
    moveTo: LogCheckpoint | undefined,
    lastEventAt: Date | null,
  ): Promise<void> {
    const latest = new Map<string, ProjectedEvent>();
    for (const event of applied) latest.set(event.streamId, event);
    const streams = [...latest.values()];
    const versions = `INSERT INTO ${target.streamsTable} (stream_id, version, position)
      SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
      ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, position = EXCLUDED.position`;
    const versionValues = [streams.map((e) => e.streamId), streams.map((e) => e.streamVersion), streams.map((e) => e.position)];
    const counts = target.countOnCheckpoint && lastEventAt !== null;
    if (!counts && moveTo === undefined) {
      if (streams.length > 0) await tx.query(versions, versionValues);
      return;
    }
    await tx.query(
      `WITH versions AS (${versions} RETURNING 1)
       UPDATE projection_checkpoints
          SET events_applied = events_applied + $5,
              last_event_at = GREATEST(last_event_at, $6::timestamptz),
              updated_at = now(),
              transaction_id = CASE WHEN $7::xid8 IS NOT NULL AND (transaction_id, position) < ($7::xid8, $8::bigint) THEN $7::xid8 ELSE transaction_id END,
              position = CASE WHEN $7::xid8 IS NOT NULL AND (transaction_id, position) < ($7::xid8, $8::bigint) THEN $8::bigint ELSE position END
        WHERE projection = $4`,
      [...versionValues, this.projection.name, counts ? applied.length : 0, lastEventAt, moveTo?.transactionId ?? null, moveTo?.position ?? null],
    );
  }

  private async park(tx: SqlRunner, parked: Parked[], target: ApplyTarget): Promise<void> {
    if (parked.length === 0) return;
    await tx.query(
      `INSERT INTO ${target.deadLettersTable} (projection, key, event_id, stream_id, stream_version, position, type, data, error)
       SELECT $1, * FROM unnest($2::text[], $3::uuid[], $4::text[], $5::int[], $6::bigint[], $7::text[], $8::jsonb[], $9::text[])
       ON CONFLICT (projection, event_id) DO NOTHING`,
      [
        this.projection.name,
        parked.map(({ event }) => event.key),
        parked.map(({ event }) => event.eventId),
        parked.map(({ event }) => event.streamId),
        parked.map(({ event }) => event.streamVersion),
        parked.map(({ event }) => event.position),
        parked.map(({ event }) => event.type),
        parked.map(({ event }) => JSON.stringify(event.data)),
        parked.map(({ error }) => error.slice(0, 4000)),
      ],
    );
  }
}
