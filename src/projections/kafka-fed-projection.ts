import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { EVENT_TYPE_BY_CE_TYPE, NEWSROOM_CE_TYPES, STREAM_TYPE_OF_TOPIC, TOPIC_OF_CE_TYPE } from '#libs/contracts';
import {
  CloudEventMessageError,
  fromCloudEventMessage,
  type IncomingBatch,
  type IncomingMessage,
  type KafkaClient,
  type KafkaConsumer,
  type TopicSpec,
} from '#libs/kafka';
import { parkedWarning, ProjectionApplier, type ProjectedEvent, type Projection } from '#libs/projections';

/** ce_type -> the store's event type and stream type. */
const EVENT_TYPE_OF_CE_TYPE = new Map<string, { type: string; streamType: string }>(
  NEWSROOM_CE_TYPES.map((ceType) => [
    ceType,
    { type: EVENT_TYPE_BY_CE_TYPE[ceType], streamType: STREAM_TYPE_OF_TOPIC[TOPIC_OF_CE_TYPE[ceType]] },
  ]),
);

export interface KafkaFeedOptions {
  groupId: string;
  topics: TopicSpec[];
  logger: Logger;
  /** The consumer group's session timeout (see KafkaConsumerOptions). */
  sessionTimeoutMs?: number;
  /**
   * How long stop() waits for Kafka work in flight (creating topics, joining or leaving the group,
   * the batch in hand) before leaving it behind (default 5 s). kafkajs retries each on its own while
   * the broker is unreachable; what is left behind ends on its own, and creates no consumer.
   */
  stopGraceMs?: number;
  /** Called after a batch that applied events has committed. */
  onApplied?: () => void;
}

/** A consumer that lived this long before kafkajs gave up on it starts the backoff over. */
const HEALTHY_RUN_MS = 60_000;

/**
 * Feeds a projection from Kafka: one consumer group per projection, each batch applied with its
 * stream versions in one PostgreSQL transaction, offsets committed to Kafka only after that
 * commit. A crash in between redelivers the batch, and the runner drops what it already applied.
 */
export class KafkaFedProjection {
  private readonly applier: ProjectionApplier;
  private readonly stopController = new AbortController();
  private readonly stopRequested: Promise<void>;
  private running?: Promise<void>;
  /*
   * The batches of the partitions kafkajs hands over together (it consumes several at once) are
   * applied in ONE transaction: under load, a fraction of the round trips and commits. Each
   * partition's handler still returns only once its own events are committed, so its offsets
   * never run ahead; a failure fails them all, and kafkajs redelivers each.
   */
  private readonly partitionBatches = new DataLoader<ProjectedEvent[], void>(
    async (batches) => {
      await this.apply(batches.flat());
      return batches.map(() => undefined);
    },
    { cache: false, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly kafka: KafkaClient,
    readonly projection: Projection,
    private readonly options: KafkaFeedOptions,
  ) {
    this.applier = new ProjectionApplier(projection);
    const signal = this.stopController.signal;
    this.stopRequested = new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Joins the group in the background, retrying while Kafka is unreachable or kafkajs gives up. */
  start(): void {
    this.running ??= this.run();
  }

  /** Leaves the group after the batch in hand; returns within `stopGraceMs` whatever Kafka does. */
  async stop(): Promise<void> {
    this.stopController.abort();
    if (!this.running) return;
    const graceMs = this.options.stopGraceMs ?? 5000;
    const grace = new AbortController();
    const outlived = await Promise.race([
      this.running.then(() => false),
      sleep(graceMs, true, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (outlived) {
      this.options.logger.warn({ msg: `projection ${this.projection.name}: Kafka work still in flight after ${graceMs} ms; left behind` });
    }
  }

  /** One consumer at a time: joins, and joins again with backoff whenever joining fails or kafkajs gives up. */
  private async run(): Promise<void> {
    for (let failures = 0; !this.stopped; ) {
      let consumer: KafkaConsumer | undefined;
      let joinedAt: number | undefined;
      let failure: unknown;
      try {
        await this.applier.ensureCheckpoint(this.dataSource);
        await this.kafka.ensureTopics(this.options.topics);
        // stop() may have come while kafkajs retried the calls above: join no group then.
        if (this.stopped) return;
        let gaveUp!: (error: Error) => void;
        const crashedForGood = new Promise<Error>((resolve) => (gaveUp = resolve));
        consumer = this.createConsumer(gaveUp);
        await consumer.start((batch) => this.handle(batch));
        joinedAt = Date.now();
        failure = await Promise.race([crashedForGood, this.stopRequested]);
      } catch (error) {
        failure = error;
      } finally {
        // Also when kafkajs gave up: it has disconnected, this releases what is left.
        await consumer?.stop().catch(() => undefined);
      }
      if (this.stopped) return;
      if (joinedAt !== undefined && Date.now() - joinedAt > HEALTHY_RUN_MS) failures = 0;
      const delayMs = Math.min(10_000, 500 * 2 ** Math.min(failures++, 5));
      this.options.logger.warn({
        msg: `projection ${this.projection.name} is not consuming from Kafka; joining again in ${delayMs} ms`,
        err: failure,
      });
      await sleep(delayMs, undefined, { signal: this.stopController.signal }).catch(() => undefined);
    }
  }

  private createConsumer(gaveUp: (error: Error) => void): KafkaConsumer {
    return this.kafka.createConsumer({
      groupId: this.options.groupId,
      topics: this.options.topics.map((topic) => topic.name),
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      fromBeginning: true,
      // Batches of different partitions may apply side by side (they lock their own articles).
      partitionsConsumedConcurrently: 3,
      // Under load, fewer and larger batches (one transaction each); idle, at most 100 ms more.
      minBytes: 128 * 1024,
      maxWaitTimeMs: 100,
      onCrash: (error, restarting) => {
        // kafkajs restarts the consumer itself after errors it deems retriable (a coordinator still
        // loading, say): a warning. Only a consumer it gives up on is an error, and joins again here.
        const log = { msg: `projection ${this.projection.name} consumer crashed`, restarting, err: error };
        if (restarting) return this.options.logger.warn(log);
        this.options.logger.error(log);
        gaveUp(error);
      },
    });
  }

  private async handle(batch: IncomingBatch): Promise<void> {
    const events = batch.messages.flatMap((message) => this.toProjectedEvent(message));
    if (events.length > 0) await this.partitionBatches.load(events);
  }

  /** Events of different partitions concern different articles; each article's stay in order. */
  private async apply(events: ProjectedEvent[]): Promise<void> {
    const result = await this.applier.transact(this.dataSource, async (tx, isolate) => {
      await this.applier.lock(tx, 'shared', events.map((event) => event.key));
      return this.applier.applyBatch(tx, events, { isolate, countAfterCommit: true });
    });
    // May count a batch a rebuild's swap counted too: the public cache only needs the counter to
    // move, and /admin/projections' eventsApplied is a rough figure.
    await this.applier.count(this.dataSource, result);
    if (result.parked > 0) this.options.logger.warn(parkedWarning(this.projection.name, result.parked));
    if (result.applied > 0) this.options.onApplied?.();
  }

  /** A message that is not one of our events cannot be applied or parked: it is logged and skipped. */
  private toProjectedEvent(message: IncomingMessage): ProjectedEvent[] {
    try {
      const envelope = fromCloudEventMessage<Record<string, unknown>>(message);
      const known = EVENT_TYPE_OF_CE_TYPE.get(envelope.type);
      if (!known) throw new CloudEventMessageError(`unknown ce_type ${envelope.type}`);
      return [
        {
          eventId: envelope.id,
          streamId: envelope.streamId,
          streamType: known.streamType,
          streamVersion: envelope.streamVersion,
          key: envelope.subject,
          type: known.type,
          data: envelope.data,
          position: envelope.position,
          recordedAt: new Date(envelope.time),
        } as ProjectedEvent,
      ];
    } catch (error) {
      this.options.logger.error({ msg: `projection ${this.projection.name} skips a message it cannot read`, offset: message.offset, err: error });
      return [];
    }
  }
}
