import type { DataSource } from 'typeorm';
import type { EventStore, LogCheckpoint } from '#libs/event-store';
import { ProjectionApplier } from './projection-applier.js';
import { fromRecordedEvent } from './projected-event.js';
import type { Projection } from './projection.js';

export interface LogFeedOptions {
  batchSize: number;
  pollMs: number;
  logger?: { warn(message: string, ...rest: unknown[]): void; error(message: unknown, ...rest: unknown[]): void };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Feeds a projection straight from the store's global log (embedded mode, no Kafka). The log
 * checkpoint lives in projection_checkpoints and moves in the same transaction as the batch.
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
   * Applies every event committed before the call; returns how many events were read. It waits
   * when a transaction still open on the server hides some of them from the log for a while.
   */
  async catchUp(): Promise<number> {
    const [{ head }] = await this.dataSource.query('SELECT coalesce(max(position), 0)::bigint AS head FROM events');
    let total = 0;
    for (;;) {
      const read = await this.step();
      total += read;
      if (read === this.options.batchSize) continue;
      await this.applier.ensureCheckpoint(this.dataSource);
      const checkpoint = await this.applier.checkpoint(this.dataSource);
      const [{ behind }] = await this.dataSource.query(
        'SELECT EXISTS (SELECT 1 FROM events WHERE position <= $1 AND (transaction_id, position) > ($2::xid8, $3::bigint)) AS behind',
        [head, checkpoint.transactionId, checkpoint.position],
      );
      if (!behind) return total;
      await sleep(this.options.pollMs);
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const read = await this.step();
        failures = 0;
        if (read < this.options.batchSize) await sleep(this.options.pollMs);
      } catch (error) {
        failures++;
        this.options.logger?.error({ msg: `projection ${this.projection.name} failed a batch; retrying`, err: error });
        await sleep(Math.min(5000, this.options.pollMs * 2 ** failures));
      }
    }
  }

  /** One batch. The cheap look at the log happens outside any transaction, so idling costs one query. */
  private async step(): Promise<number> {
    if (this.cached === undefined) {
      await this.applier.ensureCheckpoint(this.dataSource);
      this.cached = await this.applier.checkpoint(this.dataSource);
    }
    const peek = await this.store.readLog(this.cached, { limit: 1 });
    if (peek.length === 0) return 0;

    return this.applier.transact(this.dataSource, async (tx, isolate) => {
      // One feeder at a time; the row is the truth under the lock (a rebuild may have moved it).
      await this.applier.lock(tx, 'exclusive');
      const checkpoint = await this.applier.checkpoint(tx);
      const events = await this.store.readLog(checkpoint, { limit: this.options.batchSize, manager: tx });
      if (events.length === 0) {
        this.cached = checkpoint;
        return 0;
      }
      const last = events[events.length - 1];
      const next = { transactionId: last.transactionId, position: last.position };
      await this.applier.applyBatch(tx, events.map(fromRecordedEvent), { isolate, moveCheckpointTo: next });
      this.cached = next;
      return events.length;
    });
  }
}
