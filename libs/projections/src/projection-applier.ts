import type { LogCheckpoint, SqlRunner } from '#libs/event-store';
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
}

interface Parked {
  event: ProjectedEvent;
  error: string;
}

/**
 * Applies batches to one projection inside the caller's transaction, exactly once per
 * (stream, version): events at or below a stream's applied version are dropped, the next version
 * is applied, and an event past a gap is parked rather than applied out of order. When the
 * projection throws, the articles whose events fail are parked in the dead-letter table with the
 * error, and everything else in the batch still applies. Later events of a parked article are
 * parked behind it, so an article is never applied out of order.
 */
export class ProjectionApplier {
  constructor(readonly projection: Projection) {}

  /**
   * Reads the projection's log checkpoint; with `lock`, also locks its row. Every batch takes that
   * lock first, before any table, so batches and a rebuild's swap always lock in the same order.
   */
  async checkpoint(tx: SqlRunner, { lock }: { lock: boolean }): Promise<LogCheckpoint> {
    const name = this.projection.name;
    await tx.query('INSERT INTO projection_checkpoints (projection) VALUES ($1) ON CONFLICT DO NOTHING', [name]);
    const [row] = await tx.query(
      `SELECT transaction_id::text AS transaction_id, position FROM projection_checkpoints
        WHERE projection = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [name],
    );
    return { transactionId: row.transaction_id, position: Number(row.position) };
  }

  /** Moves the log checkpoint (log-fed batches and rebuilds). */
  async moveCheckpoint(tx: SqlRunner, to: LogCheckpoint): Promise<void> {
    await tx.query('UPDATE projection_checkpoints SET transaction_id = $2::xid8, position = $3 WHERE projection = $1', [
      this.projection.name,
      to.transactionId,
      to.position,
    ]);
  }

  /** Call inside a transaction; for the live target, one that took `checkpoint(tx, { lock: true })` first. */
  async applyBatch(tx: SqlRunner, batch: readonly ProjectedEvent[], target: ApplyTarget = liveTarget(this.projection)): Promise<BatchResult> {
    const relevant = batch.filter((event) => this.projection.streamTypes.includes(event.streamType));
    const { next, skipped, gaps } = await this.newEvents(tx, relevant, target);
    const parked: Parked[] = gaps;
    const blockedKeys = new Set([...(await this.parkedKeys(tx, next, target)), ...gaps.map((gap) => gap.event.key)]);
    const ready: ProjectedEvent[] = [];
    for (const event of next) {
      if (blockedKeys.has(event.key)) parked.push({ event, error: 'queued behind a parked event of this article' });
      else ready.push(event);
    }

    const applied = await this.applyIsolatingFailures(tx, ready, target, parked);
    await this.recordVersions(tx, applied, target);
    await this.park(tx, parked, target);
    if (target.countOnCheckpoint) await this.touchCheckpoint(tx, applied);
    return { applied: applied.length, skipped, parked: parked.length };
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

  /** Drops repeats; finds events that come after a missing version. */
  private async newEvents(tx: SqlRunner, events: readonly ProjectedEvent[], target: ApplyTarget) {
    const streamIds = [...new Set(events.map((event) => event.streamId))];
    const known = new Map<string, number>();
    if (streamIds.length > 0) {
      const rows: { stream_id: string; version: number }[] = await tx.query(
        `SELECT stream_id, version FROM ${target.streamsTable} WHERE stream_id = ANY($1::text[])`,
        [streamIds],
      );
      for (const row of rows) known.set(row.stream_id, row.version);
    }
    const next: ProjectedEvent[] = [];
    const gaps: Parked[] = [];
    let skipped = 0;
    for (const event of events) {
      const current = known.get(event.streamId) ?? 0;
      if (event.streamVersion <= current) skipped++;
      else if (event.streamVersion === current + 1) {
        next.push(event);
        known.set(event.streamId, event.streamVersion);
      } else {
        gaps.push({ event, error: `version ${event.streamVersion} arrived after version ${current}: missing events` });
      }
    }
    return { next, skipped, gaps };
  }

  private async parkedKeys(tx: SqlRunner, events: readonly ProjectedEvent[], target: ApplyTarget): Promise<string[]> {
    if (events.length === 0) return [];
    const keys = [...new Set(events.map((event) => event.key))];
    const rows: { key: string }[] = await tx.query(
      `SELECT DISTINCT key FROM ${target.deadLettersTable} WHERE projection = $1 AND key = ANY($2::text[])`,
      [this.projection.name, keys],
    );
    return rows.map((row) => row.key);
  }

  /** The whole batch in one go; if that fails, article by article, then event by event. */
  private async applyIsolatingFailures(
    tx: SqlRunner,
    events: ProjectedEvent[],
    target: ApplyTarget,
    parked: Parked[],
  ): Promise<ProjectedEvent[]> {
    if (events.length === 0) return [];
    const context = this.context(tx, target);
    if (await this.tryApply(tx, events, context)) return events;

    const applied: ProjectedEvent[] = [];
    for (const articleEvents of groupByKey(events).values()) {
      if (await this.tryApply(tx, articleEvents, context)) {
        applied.push(...articleEvents);
        continue;
      }
      for (const [index, event] of articleEvents.entries()) {
        const error = await this.tryApply(tx, [event], context, true);
        if (error === true) {
          applied.push(event);
          continue;
        }
        parked.push({ event, error: String(error) });
        for (const later of articleEvents.slice(index + 1)) {
          parked.push({ event: later, error: 'queued behind a parked event of this article' });
        }
        break;
      }
    }
    return applied;
  }

  /** Applies inside a savepoint so a failure leaves the transaction usable. */
  private async tryApply(
    tx: SqlRunner,
    events: ProjectedEvent[],
    context: ProjectionContext,
    returnError = false,
  ): Promise<true | false | string> {
    await tx.query('SAVEPOINT projection_apply');
    try {
      await this.projection.apply(events, context);
      await tx.query('RELEASE SAVEPOINT projection_apply');
      return true;
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT projection_apply');
      return returnError ? ((error as Error)?.message ?? String(error)) : false;
    }
  }

  private async recordVersions(tx: SqlRunner, applied: ProjectedEvent[], target: ApplyTarget): Promise<void> {
    if (applied.length === 0) return;
    const latest = new Map<string, ProjectedEvent>();
    for (const event of applied) latest.set(event.streamId, event);
    const rows = [...latest.values()];
    await tx.query(
      `INSERT INTO ${target.streamsTable} (stream_id, version, position)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
       ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, position = EXCLUDED.position`,
      [rows.map((event) => event.streamId), rows.map((event) => event.streamVersion), rows.map((event) => event.position)],
    );
  }

  private async park(tx: SqlRunner, parked: Parked[], target: ApplyTarget): Promise<void> {
    for (const { event, error } of parked) {
      await tx.query(
        `INSERT INTO ${target.deadLettersTable}
           (projection, key, event_id, stream_id, stream_version, position, type, data, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (projection, event_id) DO NOTHING`,
        [
          this.projection.name,
          event.key,
          event.eventId,
          event.streamId,
          event.streamVersion,
          event.position,
          event.type,
          JSON.stringify(event.data),
          error.slice(0, 4000),
        ],
      );
    }
  }

  private async touchCheckpoint(tx: SqlRunner, applied: ProjectedEvent[]): Promise<void> {
    const lastEventAt = applied.reduce<Date | null>(
      (latest, event) => (latest === null || event.recordedAt > latest ? event.recordedAt : latest),
      null,
    );
    await tx.query(
      `UPDATE projection_checkpoints
          SET events_applied = events_applied + $2,
              last_event_at = GREATEST(last_event_at, $3::timestamptz),
              updated_at = now()
        WHERE projection = $1`,
      [this.projection.name, applied.length, lastEventAt],
    );
  }
}
