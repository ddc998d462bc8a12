import { articleIdOfData, createContractValidator, isNewsroomCeType, TOPIC_OF_CE_TYPE, type ContractValidator, type NewsroomCeType } from '#libs/contracts';
import { CloudEventMessageError, fromCloudEventMessage, type CloudEventEnvelope, type IncomingMessage, type KafkaLogger } from '#libs/kafka';
import type { EventHandler, MessageOrigin, UnknownCloudEvent } from './newsroom-cloud-event.js';
import type { SeenStore } from './seen-store.js';

export interface EventDispatcherOptions {
  seenStore: SeenStore;
  /** Gets well-formed events of ce_types outside the contract; without it they are skipped. */
  onUnknown?: (event: UnknownCloudEvent) => void | Promise<void>;
  /**
   * Gets messages that are not our CloudEvents at all, and events whose data does not match their
   * ce_type's schema; without it they are skipped (and logged, given a logger).
   */
  onInvalid?: (error: CloudEventMessageError, origin: MessageOrigin) => void | Promise<void>;
  /**
   * Check each contract event against the contract before its handler sees it (default true): its
   * headers and its data against their JSON Schemas, and its key, ce_subject and data.articleId
   * naming the same article.
   */
  validatePayloads?: boolean;
  logger?: KafkaLogger;
}

/** The part of a consumed batch the dispatcher needs (IncomingBatch from libs/kafka fits). */
export interface DispatchableBatch {
  messages: readonly IncomingMessage[];
  heartbeat?(): Promise<void>;
  isStale?(): boolean;
  /** Marks the messages up to this offset done, so a later failure in the batch does not repeat them. */
  resolveOffset?(offset: string): void;
  /** Commits what is marked done so far. */
  commitResolved?(): Promise<void>;
}

/** During a long batch, what is done is committed this often: a crash repeats at most about this much work. */
const COMMIT_EVERY_MS = 1_000;

/**
 * While a handler runs, the group is told this often that the member is alive: a handler slower
 * than the session timeout must not cost the member its partitions (kafkajs sends at most one
 * heartbeat per heartbeat interval, however often asked).
 */
const HEARTBEAT_WHILE_HANDLING_MS = 1_000;

/** What happened to the messages of one batch. */
export interface DispatchCounts {
  /** Handler (or onUnknown) ran and succeeded. */
  handled: number;
  /** Already seen: skipped. */
  duplicates: number;
  /** A contract type nobody registered a handler for, or an unknown type without onUnknown. */
  ignored: number;
  /** Not one of our CloudEvents, or data that does not match its ce_type's schema. */
  invalid: number;
}

/**
 * Turns consumed messages into typed events and hands each to the handler registered for its
 * ce_type, once: an event id already in the seen store is skipped, and an id is only added after
 * its handler succeeded. A handler that throws stops the batch; the error goes up to the consumer,
 * which commits the messages dealt with before it, so the failed event comes again first.
 */
export class EventDispatcher {
  // Stored untyped: each type's entry holds that type's handler, and only gets events of that type.
  private readonly handlers = new Map<NewsroomCeType, UntypedHandler>();

  private readonly runningTotals: DispatchCounts = { handled: 0, duplicates: 0, ignored: 0, invalid: 0 };

  private readonly contract: ContractValidator | undefined;

  constructor(private readonly options: EventDispatcherOptions) {
    // The handlers' types promise data of the contract's shape: hold any other producer to it.
    this.contract = options.validatePayloads === false ? undefined : createContractValidator();
  }

  on<Type extends NewsroomCeType>(type: Type, handler: EventHandler<Type>): void {
    if (!isNewsroomCeType(type)) throw new Error(`"${type}" is not a ce_type of the Newsroom contract`);
    // One handler per type: with two, a failure in the second would run the first again.
    if (this.handlers.has(type)) throw new Error(`a handler for ${type} is already registered`);
    this.handlers.set(type, handler as unknown as UntypedHandler);
  }

  get handledTypes(): NewsroomCeType[] {
    return [...this.handlers.keys()];
  }

  /** Counts over every batch so far, those that failed part-way included. */
  get totals(): Readonly<DispatchCounts> {
    return { ...this.runningTotals };
  }

  async dispatch(batch: DispatchableBatch): Promise<DispatchCounts> {
    const counts: DispatchCounts = { handled: 0, duplicates: 0, ignored: 0, invalid: 0 };
    let committedAt = Date.now();
    for (const message of batch.messages) {
      // A rebalance gave the partition away, or the subscriber is stopping: the rest is redelivered.
      if (batch.isStale?.()) break;
      const origin: MessageOrigin = { topic: message.topic, partition: message.partition, offset: message.offset };
      const outcome = await this.dispatchOne(message, origin, batch);
      counts[outcome]++;
      this.runningTotals[outcome]++;
      batch.resolveOffset?.(message.offset);
      if (outcome === 'handled') await batch.heartbeat?.();
      if (batch.commitResolved && Date.now() - committedAt >= COMMIT_EVERY_MS) {
        await batch.commitResolved();
        committedAt = Date.now();
      }
    }
    return counts;
  }

  private async dispatchOne(message: IncomingMessage, origin: MessageOrigin, batch: DispatchableBatch): Promise<keyof DispatchCounts> {
    let envelope: CloudEventEnvelope;
    try {
      envelope = fromCloudEventMessage(message);
    } catch (error) {
      if (!(error instanceof CloudEventMessageError)) throw error;
      return this.invalid(error, origin);
    }

    const { type } = envelope;
    const handle: UntypedHandler | undefined = isNewsroomCeType(type) ? this.handlers.get(type) : this.options.onUnknown;
    if (!handle) {
      this.options.logger?.debug?.(`Ignored a ${type} event (no handler) at ${describeOrigin(origin)}`);
      return 'ignored';
    }
    const contractErrors = isNewsroomCeType(type) && this.contract ? this.breachesOfContract(type, message, envelope) : [];
    if (contractErrors.length > 0) {
      return this.invalid(new CloudEventMessageError(`${envelope.type} event ${envelope.id} breaks the contract: ${contractErrors.join('; ')}`), origin);
    }
    if (await this.options.seenStore.has(envelope.id)) return 'duplicates';

    try {
      await whileBeating(batch, () => handle({ ...envelope, origin }));
    } catch (error) {
      this.options.logger?.error(
        `Handler for ${envelope.type} failed on event ${envelope.id} at ${describeOrigin(origin)}; ` +
          `the batch will be delivered again: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
    await this.options.seenStore.add(envelope.id);
    return 'handled';
  }

  private breachesOfContract(type: NewsroomCeType, message: IncomingMessage, envelope: CloudEventEnvelope): string[] {
    const errors = [
      ...this.contract!.headerErrors(TOPIC_OF_CE_TYPE[type], message.headers).map((error) => `headers: ${error}`),
      ...this.contract!.dataErrors(type, envelope.data).map((error) => `data: ${error}`),
    ];
    const key = message.key?.toString('utf8');
    if (key !== envelope.subject) errors.push(`the key (${key}) is not ce_subject (${envelope.subject})`);
    const articleId = articleIdOfData(envelope.data);
    if (articleId !== undefined && articleId !== envelope.subject) errors.push(`data.articleId (${articleId}) is not ce_subject (${envelope.subject})`);
    return errors;
  }

  private async invalid(error: CloudEventMessageError, origin: MessageOrigin): Promise<'invalid'> {
    if (this.options.onInvalid) await this.options.onInvalid(error, origin);
    else this.options.logger?.warn(`Skipped an invalid message at ${describeOrigin(origin)}: ${error.message}`);
    return 'invalid';
  }
}

type UntypedHandler = (event: UnknownCloudEvent) => void | Promise<void>;

/**
 * Runs a handler while heartbeating for it. A failed heartbeat (the group is rebalancing) is
 * ignored here: the heartbeat after the handler meets the rebalance and ends the batch.
 */
async function whileBeating(batch: DispatchableBatch, handle: () => void | Promise<void>): Promise<void> {
  const heartbeat = batch.heartbeat?.bind(batch);
  if (heartbeat === undefined) return handle();
  let beating = false;
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    heartbeat()
      .catch(() => undefined)
      .finally(() => (beating = false));
  }, HEARTBEAT_WHILE_HANDLING_MS);
  try {
    await handle();
  } finally {
    clearInterval(timer);
  }
}

const describeOrigin = ({ topic, partition, offset }: MessageOrigin) => `${topic}[${partition}]@${offset}`;
