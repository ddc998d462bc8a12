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
import { ProjectionApplier, type ProjectedEvent, type Projection } from '#libs/projections';

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
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Feeds a projection from Kafka: one consumer group per projection, each batch applied with its
 * stream versions in one PostgreSQL transaction, offsets committed to Kafka only after that
 * commit. A crash in between redelivers the batch, and the runner drops what it already applied.
 */
export class KafkaFedProjection {
  private readonly applier: ProjectionApplier;
  private consumer?: KafkaConsumer;
  private stopped = false;
  private starting?: Promise<void>;
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
  }

  /** Joins the group in the background, retrying while Kafka is unreachable. */
  start(): void {
    this.starting ??= this.joinWhenReachable();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting;
    await this.consumer?.stop();
  }

  private async joinWhenReachable(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.applier.ensureCheckpoint(this.dataSource);
        await this.kafka.ensureTopics(this.options.topics);
        this.consumer = this.kafka.createConsumer({
          groupId: this.options.groupId,
          topics: this.options.topics.map((topic) => topic.name),
          fromBeginning: true,
          // Batches of different partitions may apply side by side (they lock their own articles).
          partitionsConsumedConcurrently: 3,
          // Under load, fewer and larger batches (one transaction each); idle, at most 100 ms more.
          minBytes: 128 * 1024,
          maxWaitTimeMs: 100,
          onCrash: (error, restarting) =>
            this.options.logger.error({ msg: `projection ${this.projection.name} consumer crashed`, restarting, err: error }),
        });
        await this.consumer.start((batch) => this.handle(batch));
        return;
      } catch (error) {
        await this.consumer?.stop().catch(() => undefined);
        this.consumer = undefined;
        this.options.logger.warn({ msg: `projection ${this.projection.name} cannot join Kafka yet; retrying`, err: error });
        await sleep(Math.min(10_000, 500 * 2 ** attempt));
      }
    }
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
    await this.applier.count(this.dataSource, result);
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
