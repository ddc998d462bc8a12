import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { isTransientDatabaseError, LOG_BATCH_MAX_BYTES, LOG_START, type EventStore, type LogCheckpoint, type RecordedEvent, type SqlRunner } from '#libs/event-store';
import { DEAD_LETTERS_TABLE, liveTarget, ProjectionApplier, type ApplyTarget, type BatchResult } from './projection-applier.js';
import { fromRecordedEvent } from './projected-event.js';
import type { Projection, SwapContext } from './projection.js';

export interface RebuildResult {
  projection: string;
  /** Events of the projection's stream types read from the log. */
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

const add = (a: Totals, b: Totals): Totals => ({
  eventsRead: a.eventsRead + b.eventsRead,
  applied: a.applied + b.applied,
  parked: a.parked + b.parked,
  lastEventAt: a.lastEventAt === null || (b.lastEventAt !== null && b.lastEventAt > a.lastEventAt) ? b.lastEventAt : a.lastEventAt,
});

/** What the swap needs of a run: its tables, its claim, where its batches stopped and what they counted. */
interface SwapRun {
  live: ApplyTarget;
  fresh: ApplyTarget;
  claim: Claim;
  checkpoint: LogCheckpoint;
  totals: Totals;
}

/** How long the swap waits for the live tables before it lets the readers queued behind it go. */
const SWAP_LOCK_TIMEOUT = '2s';
const SWAP_ATTEMPTS = 10;
const SWAP_RETRY_MS = 200;

export class RebuildInProgressError extends Error {
  constructor(readonly projection: string) {
    super(`projection ${projection} is already being rebuilt`);
    this.name = 'RebuildInProgressError';
  }
}

/** The rebuild was stopped between batches (shutdown); its fresh tables are dropped, its claim released. */
export class RebuildAbortedError extends Error {
  constructor(
    readonly projection: string,
    override readonly cause?: unknown,
  ) {
    super(`the rebuild of projection ${projection} was aborted`);
    this.name = 'RebuildAbortedError';
  }
}

/**
 * The rebuild stalled past the claim's staleness window and another rebuild of the projection took
 * it over: this one stops without touching the tables or the claim, which are the other's now.
 */
export class RebuildClaimLostError extends Error {
  constructor(
    readonly projection: string,
    override readonly cause?: unknown,
  ) {
    super(`the rebuild of projection ${projection} lost its claim to another rebuild`);
    this.name = 'RebuildClaimLostError';
  }
}

/**
 * A running rebuild refreshes its claim after every batch; a claim older than this belongs to a
 * rebuild that died (process killed) and may be taken over. A batch takes seconds, not minutes.
 */
export const REBUILD_CLAIM_STALE_MS = 2 * 60_000;

/**
 * SQL: whether the projection_checkpoints row `alias` has a rebuild running, i.e. a claim refreshed
 * within REBUILD_CLAIM_STALE_MS (a claim its rebuild stopped refreshing is no rebuild running).
 */
export const rebuildRunningSql = (alias: string): string =>
  `coalesce(${alias}.rebuilding_since > now() - interval '${REBUILD_CLAIM_STALE_MS} milliseconds', false)`;

export interface RebuilderOptions {
  batchSize?: number;
  /** Bytes of event JSON per batch at most (default LOG_BATCH_MAX_BYTES); the first event always goes. */
  maxBatchBytes?: number;
  /** See `REBUILD_CLAIM_STALE_MS`. */
  staleClaimMs?: number;
}

export interface RebuildOptions {
  /** Runs once this rebuild holds the projection (no other rebuild of it can start). */
  onClaimed?: () => void;
  /** Checked between batches: once aborted, the rebuild drops its fresh tables and releases its claim. */
  signal?: AbortSignal;
}

/**
 * Who holds a projection's rebuild: `rebuilding_since` as this run last wrote it (text keeps the
 * microseconds). Only the holder heartbeats, swaps, or drops the fresh tables.
 */
interface Claim {
  projection: string;
  token: string;
}

/** An index or constraint of a table, with what it is apart from its name and its table's. */
interface SchemaObject {
  name: string;
  /** `index`, or the constraint's pg_constraint.contype. */
  kind: string;
  definition: string;
}

/**
 * Rebuilds a projection from the event store without downtime: fills fresh copies of its tables
 * from the whole log while the live projection keeps serving and updating, then, in one short
 * transaction that locks the live tables, applies the last events and swaps the tables by renaming.
 * Readers see the old model until the commit and the new one after it; the live consumer carries
 * on, and its streams table (swapped too) makes it skip what the rebuild already applied. The new
 * tables get the old ones' index and constraint names, so later migrations find them by name. A
 * projection's `beforeSwap` runs just before the renames, for what the log cannot give back (and
 * once before the swap's transaction, to do the bulk of its work while readers still read).
 */
export class ProjectionRebuilder {
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
  private readonly staleClaimMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    options: RebuilderOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 5000;
    this.maxBatchBytes = options.maxBatchBytes ?? LOG_BATCH_MAX_BYTES;
    this.staleClaimMs = options.staleClaimMs ?? REBUILD_CLAIM_STALE_MS;
  }

  async rebuild(projection: Projection, { onClaimed, signal }: RebuildOptions = {}): Promise<RebuildResult> {
    const stopIfAborted = () => {
      if (signal?.aborted) throw new RebuildAbortedError(projection.name, signal.reason);
    };
    stopIfAborted();
    const started = Date.now();
    const applier = new ProjectionApplier(projection);
    const live = liveTarget(projection);
    const fresh = freshTarget(projection, live);
    const claim = await this.claim(projection);
    onClaimed?.();
    const totals: Totals = { eventsRead: 0, applied: 0, parked: 0, lastEventAt: null };
    try {
      await this.createFreshTables(live, fresh);
      let checkpoint: LogCheckpoint = LOG_START;
      for (;;) {
        stopIfAborted();
        const { events, reachedEnd } = await this.store.readLogBatch(checkpoint, {
          limit: this.batchSize,
          maxBytes: this.maxBatchBytes,
          streamTypes: projection.streamTypes,
        });
        if (events.length === 0) break;
        const { result, token } = await applier.transact(this.dataSource, async (tx, isolate) => {
          const result = await applier.applyBatch(tx, events.map(fromRecordedEvent), { target: fresh, isolate });
          // Commits with the batch, and fails it if another run has taken the projection over.
          return { result, token: await this.heartbeat(tx, claim) };
        });
        claim.token = token;
        count(totals, events, result);
        checkpoint = lastOf(events);
        if (reachedEnd) break;
      }
      stopIfAborted();
      if (projection.beforeSwap) await this.prepareSwap(projection, live, fresh, claim);
      await this.catchUpAndSwap(projection, applier, { live, fresh, claim, checkpoint, totals });
    } catch (error) {
      const stillOurs = await this.abandon(claim, fresh).catch(() => true);
      // Whatever failed (e.g. the other run dropped the fresh tables under this one), that is why.
      if (!stillOurs && !(error instanceof RebuildClaimLostError)) throw new RebuildClaimLostError(projection.name, error);
      throw error;
    }
    const { lastEventAt: _, ...result } = totals;
    return { projection: projection.name, ...result, seconds: (Date.now() - started) / 1000 };
  }

  /**
   * beforeSwap's bulk, in a transaction of its own while live batches go on, so that the swap's
   * transaction, which holds readers off the live tables, has less to do. Only a head start: the
   * swap runs beforeSwap again, so a transient failure here is left to it.
   */
  private async prepareSwap(projection: Projection, live: ApplyTarget, fresh: ApplyTarget, claim: Claim): Promise<void> {
    try {
      claim.token = await this.dataSource.transaction(async (tx) => {
        await projection.beforeSwap!(swapContext(tx, projection, live, fresh));
        return this.heartbeat(tx, claim);
      });
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
    }
  }

  /**
   * The last events and the swap, in one transaction that locks the live tables. Readers lock the
   * same tables in their own order (a reaction's snapshot reads the streams table first), so the
   * lock can deadlock with one of them, or wait behind a long read while every new reader queues
   * behind it: it waits at most SWAP_LOCK_TIMEOUT, and a deadlock or a timeout only rolls this
   * transaction back (the fresh tables keep what the batches before it built), so it is tried again.
   */
  private async catchUpAndSwap(projection: Projection, applier: ProjectionApplier, run: SwapRun): Promise<void> {
    const { live, fresh, claim } = run;
    for (let attempt = 1; ; attempt++) {
      let { checkpoint } = run;
      const caughtUp: Totals = { eventsRead: 0, applied: 0, parked: 0, lastEventAt: null };
      try {
        await this.dataSource.transaction(async (tx) => {
          // Waits for the live batches in flight and holds off new ones until the swap commits.
          await applier.lock(tx, 'exclusive');
          await tx.query(`SET LOCAL lock_timeout = '${SWAP_LOCK_TIMEOUT}'`);
          await tx.query(`LOCK TABLE ${physicalTables(live).join(', ')} IN ACCESS EXCLUSIVE MODE`);
          // Holds the checkpoint row to the commit: nobody can take the claim over in the middle of the swap.
          await this.heartbeat(tx, claim);
          for (;;) {
            const { events } = await this.store.readLogBatch(checkpoint, {
              limit: this.batchSize,
              maxBytes: this.maxBatchBytes,
              streamTypes: projection.streamTypes,
              manager: tx,
            });
            if (events.length === 0) break;
            const result = await applier.applyBatch(tx, events.map(fromRecordedEvent), { target: fresh, isolate: true });
            count(caughtUp, events, result);
            checkpoint = lastOf(events);
          }
          await projection.beforeSwap?.(swapContext(tx, projection, live, fresh));
          await this.swap(tx, projection, live, fresh);
          const totals = add(run.totals, caughtUp);
          await tx.query(
            `UPDATE projection_checkpoints
                SET transaction_id = $2::xid8, position = $3, events_applied = $4, last_event_at = $5,
                    rebuilt_at = now(), rebuilding_since = NULL, updated_at = now()
              WHERE projection = $1`,
            [projection.name, checkpoint.transactionId, checkpoint.position, totals.applied, totals.lastEventAt],
          );
        });
        Object.assign(run.totals, add(run.totals, caughtUp));
        return;
      } catch (error) {
        if (!isTransientDatabaseError(error) || attempt === SWAP_ATTEMPTS) throw error;
        await sleep(SWAP_RETRY_MS * attempt);
      }
    }
  }

  private async claim(projection: Projection): Promise<Claim> {
    await this.dataSource.query('INSERT INTO projection_checkpoints (projection) VALUES ($1) ON CONFLICT DO NOTHING', [
      projection.name,
    ]);
    const rows = returnedRows<{ token: string }>(
      await this.dataSource.query(
        `UPDATE projection_checkpoints SET rebuilding_since = clock_timestamp()
          WHERE projection = $1 AND (rebuilding_since IS NULL OR rebuilding_since < now() - $2::float8 * interval '1 millisecond')
          RETURNING rebuilding_since::text AS token`,
        [projection.name, this.staleClaimMs],
      ),
    );
    if (rows.length === 0) throw new RebuildInProgressError(projection.name);
    return { projection: projection.name, token: rows[0].token };
  }

  /** Refreshes the claim (the new token), or throws if it is no longer this run's. */
  private async heartbeat(db: SqlRunner, claim: Claim): Promise<string> {
    const rows = returnedRows<{ token: string }>(
      await db.query(
        `UPDATE projection_checkpoints SET rebuilding_since = clock_timestamp()
          WHERE projection = $1 AND rebuilding_since = $2::timestamptz
          RETURNING rebuilding_since::text AS token`,
        [claim.projection, claim.token],
      ),
    );
    if (rows.length === 0) throw new RebuildClaimLostError(claim.projection);
    return rows[0].token;
  }

  /**
   * After a failure or an abort: releases the claim and drops the fresh tables, in one transaction,
   * and only if the claim is still this run's (otherwise both belong to the run that took it over).
   */
  private async abandon(claim: Claim, fresh: ApplyTarget): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const released = returnedRows(
        await tx.query(
          `UPDATE projection_checkpoints SET rebuilding_since = NULL
            WHERE projection = $1 AND rebuilding_since = $2::timestamptz RETURNING projection`,
          [claim.projection, claim.token],
        ),
      );
      if (released.length === 0) return false;
      await this.dropFreshTables(tx, fresh);
      return true;
    });
  }

  /**
   * Drops every rebuild claim, for a database only this process can use (the embedded one, whose
   * folder it has locked): a claim found at start-up belongs to a process that died, and need not
   * lapse first. The next rebuild drops the tables it left. Answers the projections released.
   */
  async releaseAbandonedClaims(): Promise<string[]> {
    const rows = returnedRows<{ projection: string }>(
      await this.dataSource.query('UPDATE projection_checkpoints SET rebuilding_since = NULL WHERE rebuilding_since IS NOT NULL RETURNING projection'),
    );
    return rows.map((row) => row.projection);
  }

  private async createFreshTables(live: ApplyTarget, fresh: ApplyTarget): Promise<void> {
    await this.dropFreshTables(this.dataSource, fresh);
    const pairs = zip(physicalTables(live), physicalTables(fresh));
    pairs.push([live.deadLettersTable, fresh.deadLettersTable]);
    for (const [liveTable, freshTable] of pairs) {
      await this.dataSource.query(`CREATE TABLE ${freshTable} (LIKE ${liveTable} INCLUDING ALL)`);
    }
  }

  private async dropFreshTables(db: SqlRunner, fresh: ApplyTarget): Promise<void> {
    for (const table of [...physicalTables(fresh), fresh.deadLettersTable]) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }

  private async swap(tx: SqlRunner, projection: Projection, live: ApplyTarget, fresh: ApplyTarget): Promise<void> {
    for (const [liveTable, freshTable] of zip(physicalTables(live), physicalTables(fresh))) {
      const renames = matchNames(liveTable, await schemaObjects(tx, liveTable), await schemaObjects(tx, freshTable));
      await tx.query(`ALTER TABLE ${liveTable} RENAME TO ${liveTable}__old`);
      await tx.query(`ALTER TABLE ${freshTable} RENAME TO ${liveTable}`);
      await tx.query(`DROP TABLE ${liveTable}__old`);
      // The copies got names of PostgreSQL's choosing (from the fresh table's): give back the live ones.
      for (const { from, to, kind } of renames) {
        // Renaming a constraint backed by an index (primary key, unique, exclusion) renames the index too.
        if (kind === 'index') await tx.query(`ALTER INDEX ${quoted(from)} RENAME TO ${quoted(to)}`);
        else await tx.query(`ALTER TABLE ${liveTable} RENAME CONSTRAINT ${quoted(from)} TO ${quoted(to)}`);
      }
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

/**
 * A table's indexes (an index backing a constraint counts as that constraint) and its other
 * constraints, each with a definition that leaves out its own name and its table's.
 */
async function schemaObjects(tx: SqlRunner, table: string): Promise<SchemaObject[]> {
  return tx.query(
    `SELECT i.relname AS name, coalesce(c.contype::text, 'index') AS kind,
            concat_ws(' ', x.indisunique, x.indisprimary, substring(pg_get_indexdef(x.indexrelid) FROM ' USING .*$')) AS definition
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x')
      WHERE x.indrelid = $1::regclass
     UNION ALL
     SELECT conname, contype::text, pg_get_constraintdef(oid)
       FROM pg_constraint
      WHERE conrelid = $1::regclass AND contype NOT IN ('p', 'u', 'x')`,
    [table],
  );
}

/**
 * Pairs each live index and constraint with its copy (same kind and definition) and lists the
 * renames that give the copies the live names. A live one without a copy (a foreign key: LIKE
 * does not copy those) fails the rebuild rather than silently dropping it from the schema.
 */
function matchNames(table: string, live: SchemaObject[], fresh: SchemaObject[]): { from: string; to: string; kind: string }[] {
  const copies = new Map<string, string[]>();
  for (const object of fresh) {
    const key = `${object.kind} ${object.definition}`;
    copies.set(key, [...(copies.get(key) ?? []), object.name]);
  }
  const renames: { from: string; to: string; kind: string }[] = [];
  for (const object of live) {
    const copy = copies.get(`${object.kind} ${object.definition}`)?.shift();
    if (copy === undefined) throw new Error(`rebuilding ${table}: the copy has nothing like ${object.kind} ${object.name} (${object.definition})`);
    if (copy !== object.name) renames.push({ from: copy, to: object.name, kind: object.kind });
  }
  return renames;
}

const quoted = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

// TypeORM answers an UPDATE ... RETURNING with [rows, count].
const returnedRows = <T = unknown>(answer: unknown): T[] => {
  const result = answer as unknown[];
  return (Array.isArray(result[0]) ? result[0] : result) as T[];
};

function freshTarget(projection: Projection, live: ApplyTarget): ApplyTarget {
  return {
    tables: new Map([...live.tables].map(([name, physical]) => [name, `${physical}__rebuild`])),
    streamsTable: `${live.streamsTable}__rebuild`,
    deadLettersTable: `${DEAD_LETTERS_TABLE}__rebuild_${projection.name.replace(/-/g, '_')}`,
    countOnCheckpoint: false,
  };
}

function swapContext(tx: SqlRunner, projection: Projection, live: ApplyTarget, fresh: ApplyTarget): SwapContext {
  const tableOf = (target: ApplyTarget, name: string): string => {
    const physical = target.tables.get(name);
    if (!physical) throw new Error(`projection ${projection.name} does not own table ${name}`);
    return physical;
  };
  return { query: (sql, params) => tx.query(sql, params as unknown[]), live: (name) => tableOf(live, name), fresh: (name) => tableOf(fresh, name) };
}

const physicalTables = (target: ApplyTarget): string[] => [...target.tables.values(), target.streamsTable];

const zip = <A, B>(a: A[], b: B[]): [A, B][] => a.map((item, index) => [item, b[index]]);

const lastOf = (events: RecordedEvent[]): LogCheckpoint => {
  const last = events[events.length - 1];
  return { transactionId: last.transactionId, position: last.position };
};
