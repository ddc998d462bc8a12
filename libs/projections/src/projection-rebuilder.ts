import type { DataSource } from 'typeorm';
import { LOG_START, type EventStore, type LogCheckpoint, type RecordedEvent, type SqlRunner } from '#libs/event-store';
import { DEAD_LETTERS_TABLE, liveTarget, ProjectionApplier, type ApplyTarget, type BatchResult } from './projection-applier.js';
import { fromRecordedEvent } from './projected-event.js';
import type { Projection } from './projection.js';

export interface RebuildResult {
  projection: string;
  /** Events read from the log (all stream types). */
  eventsRead: number;
  applied: number;
  parked: number;
  seconds: number;
}

interface Totals {
  eventsRead: number;
  applied: number;
  parked: number;
  lastEventAt: Date | null;
}

function count(totals: Totals, events: RecordedEvent[], result: BatchResult): void {
  totals.eventsRead += events.length;
  totals.applied += result.applied;
  totals.parked += result.parked;
  for (const event of events) if (totals.lastEventAt === null || event.recordedAt > totals.lastEventAt) totals.lastEventAt = event.recordedAt;
}

export class RebuildInProgressError extends Error {
  constructor(readonly projection: string) {
    super(`projection ${projection} is already being rebuilt`);
    this.name = 'RebuildInProgressError';
  }
}

// A rebuild that died without clearing its claim (e.g. the process was killed) stops blocking after this.
const STALE_CLAIM = "interval '30 minutes'";

/**
 * Rebuilds a projection from the event store without downtime: fills fresh copies of its tables
 * from the whole log while the live projection keeps serving and updating, then, in one short
 * transaction that locks the live tables, applies the last events and swaps the tables by renaming.
 * Readers see the old model until the commit and the new one after it; the live consumer carries
 * on, and its streams table (swapped too) makes it skip what the rebuild already applied.
 */
export class ProjectionRebuilder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly options: { batchSize: number } = { batchSize: 5000 },
  ) {}

  /** `onClaimed` runs once this rebuild holds the projection (no other rebuild of it can start). */
  async rebuild(projection: Projection, onClaimed?: () => void): Promise<RebuildResult> {
    const started = Date.now();
    const applier = new ProjectionApplier(projection);
    const live = liveTarget(projection);
    const fresh = freshTarget(projection, live);
    await this.claim(projection);
    onClaimed?.();
    const totals: Totals = { eventsRead: 0, applied: 0, parked: 0, lastEventAt: null };
    try {
      await this.createFreshTables(live, fresh);
      let checkpoint: LogCheckpoint = LOG_START;
      for (;;) {
        const events = await this.store.readLog(checkpoint, { limit: this.options.batchSize });
        if (events.length === 0) break;
        const result = await applier.transact(this.dataSource, (tx, isolate) =>
          applier.applyBatch(tx, events.map(fromRecordedEvent), { target: fresh, isolate }),
        );
        count(totals, events, result);
        checkpoint = lastOf(events);
        if (events.length < this.options.batchSize) break;
      }
      await this.dataSource.transaction(async (tx) => {
        // Waits for the live batches in flight and holds off new ones until the swap commits.
        await applier.lock(tx, 'exclusive');
        await tx.query(`LOCK TABLE ${physicalTables(live).join(', ')} IN ACCESS EXCLUSIVE MODE`);
        for (;;) {
          const events = await this.store.readLog(checkpoint, { limit: this.options.batchSize, manager: tx });
          if (events.length === 0) break;
          const result = await applier.applyBatch(tx, events.map(fromRecordedEvent), { target: fresh, isolate: true });
          count(totals, events, result);
          checkpoint = lastOf(events);
        }
        await this.swap(tx, projection, live, fresh);
        await tx.query(
          `UPDATE projection_checkpoints
              SET transaction_id = $2::xid8, position = $3, events_applied = $4, last_event_at = $5,
                  rebuilt_at = now(), rebuilding_since = NULL, updated_at = now()
            WHERE projection = $1`,
          [projection.name, checkpoint.transactionId, checkpoint.position, totals.applied, totals.lastEventAt],
        );
      });
    } catch (error) {
      await this.dropFreshTables(fresh).catch(() => undefined);
      await this.release(projection).catch(() => undefined);
      throw error;
    }
    const { lastEventAt: _, ...result } = totals;
    return { projection: projection.name, ...result, seconds: (Date.now() - started) / 1000 };
  }

  private async claim(projection: Projection): Promise<void> {
    await this.dataSource.query('INSERT INTO projection_checkpoints (projection) VALUES ($1) ON CONFLICT DO NOTHING', [
      projection.name,
    ]);
    const claimed = await this.dataSource.query(
      `UPDATE projection_checkpoints SET rebuilding_since = now()
        WHERE projection = $1 AND (rebuilding_since IS NULL OR rebuilding_since < now() - ${STALE_CLAIM})
        RETURNING projection`,
      [projection.name],
    );
    // TypeORM answers an UPDATE with [rows, count].
    const rows = Array.isArray(claimed[0]) ? claimed[0] : claimed;
    if (rows.length === 0) throw new RebuildInProgressError(projection.name);
  }

  private async release(projection: Projection): Promise<void> {
    await this.dataSource.query('UPDATE projection_checkpoints SET rebuilding_since = NULL WHERE projection = $1', [
      projection.name,
    ]);
  }

  private async createFreshTables(live: ApplyTarget, fresh: ApplyTarget): Promise<void> {
    await this.dropFreshTables(fresh);
    const pairs = zip(physicalTables(live), physicalTables(fresh));
    pairs.push([live.deadLettersTable, fresh.deadLettersTable]);
    for (const [liveTable, freshTable] of pairs) {
      await this.dataSource.query(`CREATE TABLE ${freshTable} (LIKE ${liveTable} INCLUDING ALL)`);
    }
  }

  private async dropFreshTables(fresh: ApplyTarget): Promise<void> {
    for (const table of [...physicalTables(fresh), fresh.deadLettersTable]) {
      await this.dataSource.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }

  private async swap(tx: SqlRunner, projection: Projection, live: ApplyTarget, fresh: ApplyTarget): Promise<void> {
    for (const [liveTable, freshTable] of zip(physicalTables(live), physicalTables(fresh))) {
      await tx.query(`ALTER TABLE ${liveTable} RENAME TO ${liveTable}__old`);
      await tx.query(`ALTER TABLE ${freshTable} RENAME TO ${liveTable}`);
      await tx.query(`DROP TABLE ${liveTable}__old`);
    }
    // Dead letters are shared by all projections: replace only this projection's.
    await tx.query(`DELETE FROM ${DEAD_LETTERS_TABLE} WHERE projection = $1`, [projection.name]);
    await tx.query(
      `INSERT INTO ${DEAD_LETTERS_TABLE} (projection, key, event_id, stream_id, stream_version, position, type, data, error, parked_at)
       SELECT projection, key, event_id, stream_id, stream_version, position, type, data, error, parked_at FROM ${fresh.deadLettersTable}`,
    );
    await tx.query(`DROP TABLE ${fresh.deadLettersTable}`);
  }
}

function freshTarget(projection: Projection, live: ApplyTarget): ApplyTarget {
  return {
    tables: new Map([...live.tables].map(([name, physical]) => [name, `${physical}__rebuild`])),
    streamsTable: `${live.streamsTable}__rebuild`,
    deadLettersTable: `${DEAD_LETTERS_TABLE}__rebuild_${projection.name.replace(/-/g, '_')}`,
    countOnCheckpoint: false,
  };
}

const physicalTables = (target: ApplyTarget): string[] => [...target.tables.values(), target.streamsTable];

const zip = <A, B>(a: A[], b: B[]): [A, B][] => a.map((item, index) => [item, b[index]]);

const lastOf = (events: RecordedEvent[]): LogCheckpoint => {
  const last = events[events.length - 1];
  return { transactionId: last.transactionId, position: last.position };
};
