import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { EventStore, LOG_BATCH_MAX_BYTES, LOG_START, type LogCheckpoint, type RecordedEvent } from '#libs/event-store';
import {
  toCloudEventMessage,
  type KafkaClient,
  type KafkaLogger,
  type KafkaProducer,
  type KafkaProducerOptions,
  type OutgoingMessage,
  type TopicMessages,
  type TopicSpec,
} from '#libs/kafka';

/** Where one event goes: its topic and its CloudEvents type. */
export interface RelayRoute {
  topic: string;
  ceType: string;
}

/**
 * Routes an event, or returns null for events that are not published (the checkpoint still moves
 * past them). Throwing stops the relay at that event until the routing is fixed: an event the
 * contract says is public is never silently dropped.
 */
export type RelayRouter = (event: RecordedEvent) => RelayRoute | null;

export interface StreamTypeRoute {
  topic: string;
  /** `ce_type` per event type, e.g. ARTICLE_CLOUD_EVENT_TYPES, or a function of the event type. */
  ceTypes: Readonly<Record<string, string>> | ((eventType: string) => string | undefined);
}

/** Routes by stream type; stream types not listed are not published. */
export function routeByStreamType(routes: Readonly<Record<string, StreamTypeRoute>>): RelayRouter {
  return (event) => {
    if (!Object.hasOwn(routes, event.streamType)) return null;
    const { topic, ceTypes } = routes[event.streamType];
    const ceType = typeof ceTypes === 'function' ? ceTypes(event.type) : ownValue(ceTypes, event.type);
    if (!ceType) {
      throw new Error(`no ce_type for ${event.type} events of stream ${event.streamType} (event ${event.eventId})`);
    }
    return { topic, ceType };
  };
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  kafka: KafkaClient;
  route: RelayRouter;
  /** Names the checkpoint row and the advisory lock: one active relay per name. Default `kafka`. */
  name?: string;
  /** Created if missing when the relay becomes active. */
  topics?: readonly TopicSpec[];
  /** `ce_source`; `/newsroom` by default. */
  source?: string;
  /** Events read and published per batch (default 500). */
  batchSize?: number;
  /** Pause between polls of the log when it is drained (default 25 ms). */
  pollIntervalMs?: number;
  /** How often a standby tries for the lock (default 3 s). */
  lockRetryMs?: number;
  /**
   * The server ends the lock's session when it has been idle this long (`idle_session_timeout`,
   * PostgreSQL 14+; default 30 s, 0 = never): a relay frozen with the lock (a stopped process, a
   * paused VM, a stuck event loop) loses it, and a standby takes over. An active relay queries its
   * session at least every third of this, however long Kafka keeps a batch waiting.
   */
  lockSessionTimeoutMs?: number;
  /** Backoff between failed publish attempts of one batch (default 250 ms doubling to 10 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /**
   * How long stop() lets Kafka work already in flight (a send, creating the topics, connecting the
   * producer) finish before abandoning it (default 5 s). kafkajs retries each of these on its own
   * while the broker is unreachable, so without this bound a stop could wait for all its retries.
   */
  stopGraceMs?: number;
  /**
   * lag() counts at most this many events (default 100,000): the count reads that many index
   * entries, on every health probe and metrics scrape. A lag equal to the cap means at least that.
   */
  lagCap?: number;
  producer?: KafkaProducerOptions;
  logger?: KafkaLogger;
}

/** Below the broker's default max message size (1 MiB) with room for the batch's own overhead. */
const MAX_BATCH_BYTES = 900 * 1024;

interface Batch {
  topicMessages: TopicMessages[];
  /** Messages to send. */
  count: number;
  /** Events of the read this batch covers (its last one is the next checkpoint). */
  taken: number;
}

const messageBytes = (message: OutgoingMessage): number =>
  Buffer.byteLength(message.value) +
  Buffer.byteLength(message.key) +
  Object.entries(message.headers).reduce((sum, [name, value]) => sum + name.length + Buffer.byteLength(value), 0);

export interface OutboxRelayStats {
  /** Messages the broker acknowledged (a batch re-sent after a failure counts again). */
  eventsPublished: number;
  batchesPublished: number;
  /** Failed send attempts (each is retried). */
  publishFailures: number;
  /** Events passed over because the router does not publish them. */
  eventsSkipped: number;
  /** Times this instance took the lock. */
  activations: number;
}

const STOPPED = Symbol('stopped');

/**
 * Publishes the event store's global log to Kafka (the store is the outbox).
 *
 * Reads from its checkpoint in commit-safe order, sends each batch with one idempotent sendBatch,
 * and moves the checkpoint only after the broker acknowledged the whole batch: delivery is
 * at-least-once and never skips. One instance per name is active, the one holding a PostgreSQL
 * session advisory lock on its own connection; reads and checkpoint writes go over that
 * connection, so a relay whose connection dies can write no more checkpoints and goes back to
 * waiting for the lock. The server ends that session when it stays idle (a frozen relay), so a
 * standby takes over. Kafka being down only delays publishing: writers never wait for it.
 */
export class OutboxRelay {
  private readonly name: string;
  private readonly lockKey: string;
  private readonly store: EventStore;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly lockRetryMs: number;
  private readonly lockSessionTimeoutMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly stopGraceMs: number;
  /** The most lag() counts: a lag equal to it means at least that many events wait. */
  readonly lagCap: number;
  private readonly counters: OutboxRelayStats = {
    eventsPublished: 0,
    batchesPublished: 0,
    publishFailures: 0,
    eventsSkipped: 0,
    activations: 0,
  };

  private running?: Promise<void>;
  private stopping = false;
  private stopController = new AbortController();
  /** When Kafka work still in flight is abandoned: stopGraceMs after stop() was called. */
  private stopDeadline = 0;
  private active = false;
  private currentCheckpoint: LogCheckpoint | null = null;
  private publishedAt: Date | null = null;
  private producer?: KafkaProducer;
  private topicsEnsured = false;
  /** Failed sessions since a batch was last checkpointed, for the backoff. */
  private sessionFailures = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.name = options.name ?? 'kafka';
    this.lockKey = `newsroom.outbox-relay:${this.name}`;
    this.store = new EventStore(options.dataSource);
    this.batchSize = positive('batchSize', options.batchSize ?? 500);
    this.pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 25);
    this.lockRetryMs = positive('lockRetryMs', options.lockRetryMs ?? 3000);
    this.lockSessionTimeoutMs = positive('lockSessionTimeoutMs', options.lockSessionTimeoutMs ?? 30_000, true);
    this.retryInitialMs = positive('retryInitialMs', options.retryInitialMs ?? 250);
    this.retryMaxMs = positive('retryMaxMs', options.retryMaxMs ?? 10_000);
    this.stopGraceMs = positive('stopGraceMs', options.stopGraceMs ?? 5000, true);
    this.lagCap = positive('lagCap', options.lagCap ?? 100_000);
  }

  /** True while this instance holds the lock and publishes. */
  get isActive(): boolean {
    return this.active;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** The last checkpoint this instance read or wrote while active; null before it first was. */
  get checkpoint(): LogCheckpoint | null {
    return this.currentCheckpoint;
  }

  /** When the broker last acknowledged a batch from this instance. */
  get lastPublishedAt(): Date | null {
    return this.publishedAt;
  }

  get stats(): Readonly<OutboxRelayStats> {
    return { ...this.counters };
  }

  /**
   * Committed events after the stored checkpoint: what no relay has published yet, counted up to
   * `lagCap` (a result equal to it means at least that many).
   */
  async lag(): Promise<number> {
    const checkpoint = (await this.readCheckpoint(this.options.dataSource.manager)) ?? LOG_START;
    return this.store.countAfter(checkpoint, this.lagCap);
  }

  /** Starts competing for the lock and, once active, publishing. Returns at once. */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.stopController = new AbortController();
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
  }

  /**
   * Stops publishing: a send in flight gets `stopGraceMs` to be acknowledged (then the checkpoint
   * moves), otherwise it is abandoned and the checkpoint stays; so does topic creation or a producer
   * connecting while Kafka is unreachable. Releases the lock and disconnects.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.stopDeadline = Date.now() + this.stopGraceMs;
    this.stopController.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let session: QueryRunner | undefined;
      let sessionError: unknown;
      let heartbeat: NodeJS.Timeout | undefined;
      try {
        session = await this.tryLock();
        if (session) {
          this.active = true;
          this.counters.activations++;
          heartbeat = await this.keepSessionAlive(session);
          await this.pump(session);
        }
      } catch (error) {
        sessionError = error;
        if (!this.stopping) {
          this.options.logger?.error(`Outbox relay ${this.name}: ${describe(error)}; competing for the lock again`);
        }
      } finally {
        // Not active from before the lock goes: two relays must never both look active.
        const wasActive = this.active;
        this.active = false;
        clearInterval(heartbeat);
        if (session) await this.unlock(session, sessionError, heartbeat !== undefined);
        if (wasActive) await this.closeProducer();
      }
      if (sessionError === undefined) {
        await this.pause(this.lockRetryMs);
      } else {
        // The database or our connection failed: back off, then compete for the lock again.
        await this.pause(this.backoff(this.sessionFailures++));
      }
    }
  }

  /** The lock on a connection of its own, or undefined when another relay holds it. */
  private async tryLock(): Promise<QueryRunner | undefined> {
    const session = this.options.dataSource.createQueryRunner();
    try {
      await session.connect();
      const [{ locked }] = await session.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [
        this.lockKey,
      ]);
      if (locked) return session;
      await session.release();
      return undefined;
    } catch (error) {
      await discard(session, error);
      throw error;
    }
  }

  /**
   * Asks the server to end the lock's session once it is idle for lockSessionTimeoutMs, and keeps
   * it from being idle that long while this process runs: only a relay that stopped running loses
   * the lock so. Older servers (before 14) have no such setting: the lock then goes only with the
   * connection, as before.
   */
  private async keepSessionAlive(session: QueryRunner): Promise<NodeJS.Timeout | undefined> {
    if (this.lockSessionTimeoutMs === 0) return undefined;
    const [{ version }] = await session.query(`SELECT current_setting('server_version_num')::int AS version`);
    if (version < 140000) {
      this.options.logger?.warn(`Outbox relay ${this.name}: PostgreSQL ${version} has no idle_session_timeout; a frozen relay keeps the lock`);
      return undefined;
    }
    await session.query(`SELECT set_config('idle_session_timeout', $1, false)`, [String(this.lockSessionTimeoutMs)]);
    const heartbeat = setInterval(() => {
      // Queued behind the pump's own query if one runs; a failure is the pump's to find and handle.
      session.query('SELECT 1').catch(() => undefined);
    }, Math.max(1, Math.floor(this.lockSessionTimeoutMs / 3)));
    heartbeat.unref();
    return heartbeat;
  }

  private async unlock(session: QueryRunner, error: unknown, sessionTimeoutSet: boolean): Promise<void> {
    if (error === undefined) {
      try {
        await session.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [this.lockKey]);
        // The connection goes back to the pool, where idling is what it is for.
        if (sessionTimeoutSet) await session.query('RESET idle_session_timeout');
        await session.release();
        this.options.logger?.log(`Outbox relay ${this.name}: released the lock`);
        return;
      } catch (unlockError) {
        error = unlockError;
      }
    }
    // Closing the connection is what frees a session lock when it cannot be released in SQL.
    await discard(session, error);
  }

  private async pump(session: QueryRunner): Promise<void> {
    let checkpoint = (await this.readCheckpoint(session.manager)) ?? LOG_START;
    this.currentCheckpoint = checkpoint;
    this.options.logger?.log(
      `Outbox relay ${this.name}: active from checkpoint (${checkpoint.transactionId}, ${checkpoint.position})`,
    );
    try {
      if ((await this.unlessStopped(this.ensureTopics(), 'creating the topics')) === STOPPED) return;
    } catch (error) {
      // Kafka may be down at start-up; the first publish tries again.
      this.options.logger?.warn(`Outbox relay ${this.name}: cannot create topics yet: ${describe(error)}`);
    }
    let mappingFailures = 0;
    while (!this.stopping) {
      // Bounded by size too: a batch of long stories by count alone could fill the heap, and only
      // MAX_BATCH_BYTES of it would go out before the next read.
      const { events, reachedEnd } = await this.store.readLogBatch(checkpoint, {
        limit: this.batchSize,
        maxBytes: LOG_BATCH_MAX_BYTES,
        manager: session.manager,
      });
      if (events.length === 0) {
        await this.pause(this.pollIntervalMs);
        continue;
      }
      let batch: Batch;
      try {
        batch = this.toBatch(events);
        mappingFailures = 0;
      } catch (error) {
        // Not a Kafka problem: retrying with the lock held keeps the others from hitting it too.
        this.options.logger?.error(`Outbox relay ${this.name}: cannot publish: ${describe(error)}`);
        await this.pause(this.backoff(mappingFailures++));
        continue;
      }
      if (batch.count > 0 && !(await this.publish(session, batch.topicMessages, batch.count))) return;
      const last = events[batch.taken - 1];
      const next = { transactionId: last.transactionId, position: last.position };
      await this.writeCheckpoint(session.manager, next);
      this.sessionFailures = 0;
      checkpoint = next;
      this.currentCheckpoint = next;
      this.counters.eventsSkipped += batch.taken - batch.count;
      if (reachedEnd && batch.taken === events.length) await this.pause(this.pollIntervalMs);
    }
  }

  /**
   * The messages of the events, in log order, up to MAX_BATCH_BYTES: the broker refuses a
   * partition's batch above its max message size, and a batch it refuses would be retried forever.
   * It ends before an event that cannot be mapped, so the events ahead of it in the log still go
   * out; when that event comes first, its error is thrown and the relay stops there.
   */
  private toBatch(events: readonly RecordedEvent[]): Batch {
    const byTopic = new Map<string, TopicMessages>();
    let count = 0;
    let bytes = 0;
    let taken = 0;
    for (const event of events) {
      let mapped: { topic: string; message: OutgoingMessage } | null;
      try {
        mapped = this.messageOf(event);
      } catch (error) {
        if (taken === 0) throw error;
        break;
      }
      taken++;
      if (!mapped) continue;
      const { topic, message } = mapped;
      bytes += messageBytes(message);
      if (bytes > MAX_BATCH_BYTES && count > 0) {
        taken--;
        break;
      }
      let entry = byTopic.get(topic);
      if (!entry) byTopic.set(topic, (entry = { topic, messages: [] }));
      // Log order is kept within each topic, so within each article's partition.
      entry.messages.push(message);
      count++;
    }
    return { topicMessages: [...byTopic.values()], count, taken };
  }

  /** The event's topic and message, or null for an event that is not published. */
  private messageOf(event: RecordedEvent): { topic: string; message: OutgoingMessage } | null {
    const route = this.options.route(event);
    if (!route) return null;
    return { topic: route.topic, message: toCloudEventMessage(event, { type: route.ceType, source: this.options.source }) };
  }

  /**
   * Sends the batch until the broker acknowledges it. The same messages are re-sent on the same
   * producer, so a batch the broker wrote but could not acknowledge is dropped as a duplicate.
   * Returns false when stopped first.
   */
  private async publish(session: QueryRunner, topicMessages: TopicMessages[], count: number): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopping) return false;
      // Still our connection, so still our lock: a relay that lost it must not publish any more.
      // The first attempt follows the read of the batch on this connection at once; a retry comes
      // after a backoff, so it asks again.
      if (attempt > 0) await session.query('SELECT 1');
      try {
        const connecting = { abandoned: false };
        const producer = await this.unlessStopped(this.readyProducer(connecting), 'connecting to Kafka');
        if (producer === STOPPED) {
          connecting.abandoned = true;
          return false;
        }
        const sent = await this.unlessStopped(producer.sendBatch(topicMessages), 'a batch in flight; the checkpoint stays');
        if (sent === STOPPED) return false;
        this.counters.eventsPublished += count;
        this.counters.batchesPublished++;
        this.publishedAt = new Date();
        if (attempt > 0) {
          this.options.logger?.log(`Outbox relay ${this.name}: published again after ${attempt} failed attempts`);
        }
        return true;
      } catch (error) {
        this.counters.publishFailures++;
        const delay = this.backoff(attempt);
        this.options.logger?.warn(
          `Outbox relay ${this.name}: publishing ${count} events failed (attempt ${attempt + 1}), ` +
            `retrying in ${delay} ms: ${describe(error)}`,
        );
        // A producer the broker no longer accepts (sequence or producer id errors) is replaced;
        // the new one may write a duplicate of a batch that did land, never a gap.
        if (!isRetriable(error)) await this.closeProducer();
        await this.pause(delay);
      }
    }
  }

  private async ensureTopics(): Promise<void> {
    if (this.topicsEnsured || !this.options.topics?.length) return;
    const created = await this.options.kafka.ensureTopics(this.options.topics);
    if (created.length > 0) this.options.logger?.log(`Outbox relay ${this.name}: created topics ${created.join(', ')}`);
    this.topicsEnsured = true;
  }

  /** `attempt.abandoned`: stop() stopped waiting, and closes no producer this connects later. */
  private async readyProducer(attempt: { abandoned: boolean }): Promise<KafkaProducer> {
    await this.ensureTopics();
    if (!this.producer) {
      if (attempt.abandoned) throw new Error('abandoned');
      const producer = this.options.kafka.createProducer(this.options.producer);
      await producer.connect();
      if (attempt.abandoned) {
        await producer.disconnect().catch(() => undefined);
        throw new Error('abandoned');
      }
      this.producer = producer;
    }
    return this.producer;
  }

  private async closeProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch((error: unknown) => {
      this.options.logger?.warn(`Outbox relay ${this.name}: disconnecting the producer failed: ${describe(error)}`);
    });
  }

  /** The work's outcome, or STOPPED when stop() was called and the work outlived its grace period. */
  private async unlessStopped<T>(send: Promise<T>, what: string): Promise<T | typeof STOPPED> {
    const signal = this.stopController.signal;
    let onStop: (() => void) | undefined;
    let grace: NodeJS.Timeout | undefined;
    const stopped = new Promise<typeof STOPPED>((resolve) => {
      onStop = () => {
        // One grace period for all the work of a stop, not one for each piece.
        grace = setTimeout(() => resolve(STOPPED), Math.max(0, this.stopDeadline - Date.now()));
      };
      if (signal.aborted) onStop();
      else signal.addEventListener('abort', onStop, { once: true });
    });
    let outcome: T | typeof STOPPED;
    try {
      outcome = await Promise.race([send, stopped]);
    } finally {
      if (onStop) signal.removeEventListener('abort', onStop);
      clearTimeout(grace);
    }
    if (outcome === STOPPED) {
      send.catch(() => undefined);
      this.options.logger?.warn(`Outbox relay ${this.name}: stopping, abandoned ${what}`);
    }
    return outcome;
  }

  private async readCheckpoint(manager: EntityManager): Promise<LogCheckpoint | null> {
    const rows: { transaction_id: string; position: string }[] = await manager.query(
      `SELECT transaction_id::text AS transaction_id, position FROM relay_checkpoints WHERE name = $1`,
      [this.name],
    );
    return rows.length ? { transactionId: rows[0].transaction_id, position: Number(rows[0].position) } : null;
  }

  private async writeCheckpoint(manager: EntityManager, checkpoint: LogCheckpoint): Promise<void> {
    await manager.query(
      `INSERT INTO relay_checkpoints (name, transaction_id, position, updated_at)
       VALUES ($1, $2::xid8, $3, now())
       ON CONFLICT (name) DO UPDATE
         SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
      [this.name, checkpoint.transactionId, checkpoint.position],
    );
  }

  /** Waits, but returns at once when stop() is called. */
  private async pause(ms: number): Promise<void> {
    if (this.stopping) return;
    await sleep(ms, undefined, { signal: this.stopController.signal }).catch(() => undefined);
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** Math.min(attempt, 20));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
}

const ownValue = (record: Readonly<Record<string, string>>, key: string): string | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/** Drops a connection instead of returning it to the pool (and frees any session lock on it). */
async function discard(session: QueryRunner, error: unknown): Promise<void> {
  const withError = session as QueryRunner & { releasePostgresConnection?: (error?: unknown) => Promise<void> };
  try {
    if (withError.releasePostgresConnection) await withError.releasePostgresConnection(error ?? new Error('discarded'));
    else await session.release();
  } catch {
    // Already gone.
  }
}

/** kafkajs marks transient errors retriable; look through the wrappers it adds after its own retries. */
function isRetriable(error: unknown): boolean {
  let cause = error as { retriable?: boolean; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; cause && depth < 5; depth++) {
    const inner = cause.cause ?? cause.originalError;
    if (!inner) return cause.retriable !== false;
    cause = inner as typeof cause;
  }
  return true;
}

/** The error and, for an aggregate (kafkajs's "Topic creation errors"), the reasons inside it. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = (error as { errors?: unknown }).errors;
  const reasons = Array.isArray(inner) && inner.length > 0 ? ` (${inner.map(describe).join('; ')})` : '';
  return `${error.name}: ${error.message}${reasons}`;
}

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new Error(`OutboxRelay: ${name} must be a positive number, got ${value}`);
  }
  return value;
}
