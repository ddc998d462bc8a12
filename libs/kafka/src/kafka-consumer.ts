import type { Consumer, IHeaders, KafkaMessage } from 'kafkajs';
import type { KafkaClient } from './kafka-client.js';
import { kafkajsOf } from './kafkajs-handle.js';
import type { IncomingMessage } from './kafka.types.js';

export interface KafkaConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts: the beginning (default) or only new messages. */
  fromBeginning?: boolean;
  /**
   * How long the group waits for a silent member (one killed, say) before handing its partitions to
   * the others (default DEFAULT_SESSION_TIMEOUT_MS; the broker takes 6 s to 30 min by default).
   */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxBytesPerPartition?: number;
  /**
   * Longest a fetch waits on the broker for new messages (default 500 ms, as Java's fetch.max.wait.ms;
   * kafkajs's 5 s would also make every stop() take 5 s).
   */
  maxWaitTimeMs?: number;
  /**
   * Bytes a fetch waits for (up to maxWaitTimeMs) before answering; above 1, a busy topic is read
   * in fewer, larger batches.
   */
  minBytes?: number;
  /** Partitions whose batches are handled at the same time (default 1). */
  partitionsConsumedConcurrently?: number;
  /**
   * kafkajs stopped the consumer after a failure; `restarting` tells whether it comes back. When it
   * does not (an error kafkajs deems non-retriable, e.g. the group refusing this member's protocol;
   * a handler's own errors, TypeErrors too, are always retried), the consumer has left the group for
   * good: stop() it and start anew.
   */
  onCrash?: (error: Error, restarting: boolean) => void;
}

/**
 * 10 s, not kafkajs's 30 s: a killed member's partitions stall that long. Heartbeats go every 3 s
 * (kafkajs's default) between batches, and from handlers that call heartbeat() during a long one.
 */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

/** Messages of one partition, in offset order. */
export interface IncomingBatch {
  topic: string;
  partition: number;
  messages: IncomingMessage[];
  /** Keeps the group membership alive during long work on a batch. */
  heartbeat(): Promise<void>;
  /**
   * True once a rebalance or seek made this batch obsolete, or the consumer is stopping: stop, and
   * let what is left be redelivered.
   */
  isStale(): boolean;
  /**
   * For a handler that works message by message (the subscriber): the messages up to this offset
   * are done. What is resolved is committed when the handler returns (not the rest of the batch),
   * and also when it fails, so only the rest comes again. A handler that applies its batch as a
   * whole never calls it, and its whole batch is committed when it returns.
   */
  resolveOffset(offset: string): void;
  /** Commits what is resolved so far, during a long batch: a crash then repeats less. */
  commitResolved(): Promise<void>;
}

/**
 * Resolves when the batch is applied (for a projection: rows and checkpoint committed in one
 * PostgreSQL transaction). Only then are the offsets committed to Kafka; a handler that throws
 * gets the same messages again.
 */
export type BatchHandler = (batch: IncomingBatch) => Promise<void>;

/**
 * Consumer group member with manual offsets: nothing is committed before the handler resolves.
 * Delivery is at-least-once (a crash between the handler and the commit redelivers the batch),
 * so handlers are idempotent, e.g. by stream version.
 */
export class KafkaConsumer {
  private readonly consumer: Consumer;
  private running = false;

  constructor(
    client: KafkaClient,
    private readonly options: KafkaConsumerOptions,
  ) {
    if (!options.groupId) throw new Error('KafkaConsumer: groupId is required');
    if (options.topics.length === 0) throw new Error('KafkaConsumer: at least one topic is required');
    this.consumer = kafkajsOf(client).consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      heartbeatInterval: options.heartbeatIntervalMs,
      maxBytesPerPartition: options.maxBytesPerPartition,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 500,
      minBytes: options.minBytes,
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.running = false;
      options.onCrash?.(payload.error, payload.restart);
    });
  }

  /** False once stopped, and once kafkajs crashed and will not restart. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Joins the group and starts handing batches to `handler`; resolves once consuming has begun. */
  async start(handler: BatchHandler): Promise<void> {
    if (this.running) throw new Error('KafkaConsumer: already started');
    // Set first: kafkajs reports a crash while joining inside run(), before run() resolves.
    this.running = true;
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: this.options.fromBeginning ?? true,
      });
      await this.run(handler);
    } catch (error) {
      this.running = false;
      throw error;
    }
  }

  private async run(handler: BatchHandler): Promise<void> {
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, heartbeat, isStale, resolveOffset, commitOffsetsIfNecessary }) => {
        if (batch.messages.length === 0 || isStale()) return;
        const { topic, partition } = batch;
        // The committed offset is the next one to read.
        const commitUpTo = (offset: string) =>
          commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: (BigInt(offset) + 1n).toString() }] }] });
        let done: string | undefined;
        let committed: string | undefined;
        const commitResolved = async () => {
          if (done === undefined || done === committed || isStale()) return;
          const offset = done;
          await commitUpTo(offset);
          committed = offset;
        };
        try {
          await handler({
            topic,
            partition,
            messages: batch.messages.map((message) => toIncomingMessage(topic, partition, message)),
            heartbeat,
            // stop() is waiting for this batch: a handler that goes message by message ends it early.
            isStale: () => isStale() || !this.running,
            resolveOffset: (offset) => {
              done = offset;
              resolveOffset(offset);
            },
            commitResolved,
          });
        } catch (error) {
          // What the handler finished stays finished: the batch comes again from the failure on. Should
          // this commit fail too, the error that matters is the handler's: more of the batch comes again.
          await commitResolved().catch(() => undefined);
          throw retriable(error);
        }
        if (isStale()) return;
        // A handler that resolves as it goes has said how far it got (all of it, or up to a stop);
        // one stopped before its first message resolved nothing, and nothing is committed for it. A
        // whole-batch handler that returned has applied it all, during a stop too (stop() waits for
        // this commit before leaving the group), so the next member starts after it.
        if (done !== undefined) return commitResolved();
        const last = batch.messages[batch.messages.length - 1].offset;
        resolveOffset(last);
        await commitUpTo(last);
      },
    });
  }

  /** Leaves the group after the batch in hand is done; uncommitted work is redelivered to others. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }
}

/** kafkajs gives up on a consumer for good when a handler throws one of these, and nothing restarts it. */
const KAFKAJS_UNRECOVERABLE = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);

/**
 * A handler's own bug (a TypeError, say) fails its batch like any other error: the batch comes
 * again after kafkajs's back-off, instead of the consumer leaving the group silently and for good.
 */
function retriable(error: unknown): unknown {
  if (!(error instanceof Error) || !KAFKAJS_UNRECOVERABLE.has(error.name)) return error;
  const wrapped = new Error(`batch handler failed: ${error.message}`, { cause: error });
  wrapped.name = 'BatchHandlerError';
  return wrapped;
}

function toIncomingMessage(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: decodeHeaders(message.headers),
    timestamp: message.timestamp,
  };
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) decoded[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return decoded;
}
