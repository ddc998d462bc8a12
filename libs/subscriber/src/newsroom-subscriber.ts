import { NEWSROOM_TOPICS, type NewsroomCeType } from '#libs/contracts';
import { KafkaClient, resetConsumerGroupOffsets, type KafkaConsumer, type KafkaLogger } from '#libs/kafka';
import { EventDispatcher, type DispatchCounts, type EventDispatcherOptions } from './event-dispatcher.js';
import type { EventHandler } from './newsroom-cloud-event.js';
import { InMemorySeenStore, type SeenStore } from './seen-store.js';

export interface SubscriberOptions {
  /** host:port list, or one comma-separated string as in KAFKA_BROKERS. */
  brokers: string | readonly string[];
  /** Your own consumer group: offsets are committed for it, and its members share the partitions. */
  groupId: string;
  /** Topics to read; both public topics by default. */
  topics?: readonly string[];
  /** Where a group without committed offsets starts: the beginning (default), or only new events. */
  fromBeginning?: boolean;
  /** How long the group waits for a silent (killed) member before giving its partitions to others (10 s by default). */
  sessionTimeoutMs?: number;
  /** Kafka client id; the group id by default. */
  clientId?: string;
  /** Deduplication by ce_id; a bounded in-memory store by default. */
  seenStore?: SeenStore;
  onUnknown?: EventDispatcherOptions['onUnknown'];
  onInvalid?: EventDispatcherOptions['onInvalid'];
  /** Check each event's headers and data against the contract before a handler sees it (default true). */
  validatePayloads?: boolean;
  /** Where the subscriber and the Kafka client report; nothing is logged without one. */
  logger?: KafkaLogger;
}

/**
 * A typed subscriber to the Newsroom topics for downstream services:
 *
 *   const subscriber = createSubscriber({ brokers, groupId: 'search-indexer' })
 *     .on('newsroom.article.published.v1', async (event) => index(event.data));
 *   await subscriber.start();
 *
 * At-least-once: an event's offset is committed once its handler succeeded, and a failure delivers
 * the failed event again (with the rest of its batch); events already handled are skipped by their
 * ce_id. Events of one article arrive in order. A handler that keeps failing holds up its partition:
 * nothing is lost or skipped behind your back, so catch what you mean to skip.
 */
export class NewsroomSubscriber {
  private readonly kafka: KafkaClient;
  private readonly dispatcher: EventDispatcher;
  private readonly seenStore: SeenStore;
  private readonly topics: readonly string[];
  private consumer: KafkaConsumer | undefined;

  constructor(private readonly options: SubscriberOptions) {
    if (!options.groupId) throw new Error('createSubscriber: groupId is required');
    this.topics = options.topics ?? [NEWSROOM_TOPICS.articles, NEWSROOM_TOPICS.reactions];
    if (this.topics.length === 0) throw new Error('createSubscriber: at least one topic is required');
    this.kafka = new KafkaClient({ brokers: options.brokers, clientId: options.clientId ?? options.groupId, logger: options.logger });
    this.seenStore = options.seenStore ?? new InMemorySeenStore();
    this.dispatcher = new EventDispatcher({
      seenStore: this.seenStore,
      onUnknown: options.onUnknown,
      onInvalid: options.onInvalid,
      validatePayloads: options.validatePayloads,
      logger: options.logger,
    });
  }

  /** Registers the handler of one ce_type (one per type); `event.data` is typed from libs/contracts. */
  on<Type extends NewsroomCeType>(type: Type, handler: EventHandler<Type>): this {
    // A handler added later would miss what the group has already committed.
    if (this.consumer) throw new Error('register handlers before start()');
    this.dispatcher.on(type, handler);
    return this;
  }

  /** False once stopped, and once the consumer stopped for good after a failure (start() again then). */
  get isRunning(): boolean {
    return this.consumer?.isRunning ?? false;
  }

  /** Counts since this subscriber was created, e.g. for metrics. */
  get stats(): Readonly<DispatchCounts> {
    return this.dispatcher.totals;
  }

  /** Joins the group and starts handling events; resolves once consuming has begun. */
  async start(): Promise<void> {
    if (this.isRunning) throw new Error('the subscriber is already started');
    const consumer = this.kafka.createConsumer({
      groupId: this.options.groupId,
      topics: this.topics,
      fromBeginning: this.options.fromBeginning ?? true,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      onCrash: (error, restarting) => {
        this.options.logger?.error(
          `Subscriber ${this.options.groupId}: the consumer stopped (${error.message}); ` +
            (restarting ? 'it restarts from the last committed offsets' : 'it does not restart: call start() again'),
        );
        // Given up on: let start() begin anew (handler errors never get here: they are retried).
        if (!restarting && this.consumer === consumer) {
          this.consumer = undefined;
          void consumer.stop().catch(() => undefined);
        }
      },
    });
    this.consumer = consumer;
    try {
      await consumer.start(async (batch) => {
        await this.dispatcher.dispatch(batch);
      });
    } catch (error) {
      this.consumer = undefined;
      await consumer.stop().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Leaves the group once the event in hand is handled (the rest of its batch is left to the next
   * owner of the partition), committing what is done.
   */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop();
  }

  /**
   * Handles every event again, from the beginning of the topics: resets the group's offsets to the
   * earliest and forgets the seen event ids. Kafka resets a group only while it has no members, so
   * every other process of this group must be stopped first. A running subscriber stops for the
   * reset and starts again; a stopped one stays stopped.
   */
  async replay(): Promise<void> {
    const wasRunning = this.isRunning;
    await this.stop();
    await resetConsumerGroupOffsets(this.kafka, this.options.groupId, this.topics, 'earliest');
    await this.seenStore.clear();
    if (wasRunning) await this.start();
  }
}

export function createSubscriber(options: SubscriberOptions): NewsroomSubscriber {
  return new NewsroomSubscriber(options);
}
