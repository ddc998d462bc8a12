import type { DataSource } from 'typeorm';
import { isAfterCheckpoint, isDatabaseUnavailable, LOG_BATCH_MAX_BYTES, type EventStore, type LogCheckpoint } from '#libs/event-store';
import { ProjectionApplier } from './projection-applier.js';
import { fromRecordedEvent } from './projected-event.js';
import type { Projection } from './projection.js';

export interface LogFeedOptions {
  batchSize: number;
  /** Bytes of event JSON per batch at most (default LOG_BATCH_MAX_BYTES); the first event always goes. */
  maxBatchBytes?: number;
  pollMs: number;
  logger?: { warn(message: string, ...rest: unknown[]): void; error(message: unknown, ...rest: unknown[]): void };
  /** Called after a batch that applied events has committed. */
  onApplied?: () => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Feeds a projection straight from the store's global log, reading only its stream types: every
 * projection in embedded mode or without Kafka, and always the scheduler's own
 * (FED_FROM_THE_STORE in src/projections/projection-registry.ts). The log checkpoint lives in projection_checkpoints and moves in the same
 * transaction as the batch; it also moves over the events of other types, so they are scanned once.
 */
export class LogFedProjection {
  private readonly applier: ProjectionApplier;
  private running = false;
  private loop?: Promise<void>;
  private cached?: LogCheckpoint;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    readonly projection: Projection,
    private readonly options: LogFeedOptions,
  ) {
    this.applier = new ProjectionApplier(projection);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * Applies every event of its stream types committed before the call; returns how many it read.
   * It waits when a transaction still open on the server hides some of them from the log for a while.
   */
  async catchUp(): Promise<number> {
    const [{ head }] = await this.dataSource.query('SELECT coalesce(max(position), 0)::bigint AS head FROM events');
    let total = 0;
    for (;;) {
      const { read, more } = await this.step();
      total += read;
      if (more) continue;
      await this.applier.ensureCheckpoint(this.dataSource);
      const checkpoint = await this.applier.checkpoint(this.dataSource);
      const [{ behind }] = await this.dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM events
                         WHERE position <= $1 AND (transaction_id, position) > ($2::xid8, $3::bigint)
                           AND stream_type = ANY($4::text[])) AS behind`,
        [head, checkpoint.transactionId, checkpoint.position, this.projection.streamTypes],
      );
      if (!behind) return total;
      await sleep(this.options.pollMs);
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const { more } = await this.step();
        failures = 0;
        if (!more) await sleep(this.options.pollMs);
      } catch (error) {
        // The failed batch may have rolled back a checkpoint we saw; read the row again.
        this.cached = undefined;
        failures++;
        const msg = `projection ${this.projection.name} failed a batch; retrying`;
        // An outage is no fault of the code: one line saying so, not a stack per retry.
        if (isDatabaseUnavailable(error)) this.options.logger?.warn(`${msg} (database unavailable: ${(error as Error).message})`);
        else this.options.logger?.error({ msg, err: error });
        await sleep(Math.min(5000, this.options.pollMs * 2 ** failures));
      }
    }
  }

  /**
   * One batch. The cheap look at the log happens outside any transaction, so idling costs one
   * query; it looks at every stream type, since a filtered look would scan all the events of other
   * types after the checkpoint each time. The checkpoint is cached only once the batch committed.
   * `more`: the batch stopped before the end of the log (by count or by size), so read again now.
   */
  private async step(): Promise<{ read: number; more: boolean }> {
    if (this.cached === undefined) {
      await this.applier.ensureCheckpoint(this.dataSource);
      this.cached = await this.applier.checkpoint(this.dataSource);
    }
    const peek = await this.store.readLog(this.cached, { limit: 1 });
    if (peek.length === 0) return { read: 0, more: false };

    const { read, more, applied, parked, checkpoint } = await this.applier.transact(this.dataSource, async (tx, isolate) => {
      // One feeder at a time; the row is the truth under the lock (a rebuild may have moved it).
      await this.applier.lock(tx, 'exclusive');
      const checkpoint = await this.applier.checkpoint(tx);
      // Taken before the read, so a read that ends short of the limit has seen all our events up to it.
      const logEnd = await this.store.readLogEnd(tx);
      const { events, reachedEnd } = await this.store.readLogBatch(checkpoint, {
        limit: this.options.batchSize,
        maxBytes: this.options.maxBatchBytes ?? LOG_BATCH_MAX_BYTES,
        streamTypes: this.projection.streamTypes,
        manager: tx,
      });
      const last = events.at(-1);
      let next = last ? { transactionId: last.transactionId, position: last.position } : checkpoint;
      // Past the end of our types too: the events of other types up to the log's end are scanned once.
      if (reachedEnd && logEnd && isAfterCheckpoint(logEnd, next)) next = logEnd;
      if (!isAfterCheckpoint(next, checkpoint)) return { read: 0, more: false, applied: 0, parked: 0, checkpoint };
      const result = await this.applier.applyBatch(tx, events.map(fromRecordedEvent), { isolate, moveCheckpointTo: next });
      return { read: events.length, more: !reachedEnd, applied: result.applied, parked: result.parked, checkpoint: next };
    });
    if (parked > 0) this.options.logger?.warn(parkedWarning(this.projection.name, parked));
    this.cached = checkpoint;
    if (applied > 0) this.options.onApplied?.();
    return { read, more };
  }
}

/** What an operator reads when events are parked: where to look, and what parks them. */
export const parkedWarning = (projection: string, count: number): string =>
  `projection ${projection} parked ${count} event(s) it could not apply, with each one's article ` +
  '(projection_dead_letters; counts in GET /admin/projections and /health/ready): see docs/operations.md';
