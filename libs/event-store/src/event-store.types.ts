/** A domain event as deciders produce it: a stable type name and its data. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Actor {
  sub: string;
  name: string;
  roles: string[];
}

export interface EventMetadata {
  actor: Actor;
  correlationId?: string;
  causationId?: string;
}

/** A stored event. Distributes over a union, so `type` still narrows `data`. */
export type RecordedEvent<E extends DomainEvent = DomainEvent> = E extends DomainEvent ? RecordedEventOf<E> : never;

interface RecordedEventOf<E extends DomainEvent> {
  eventId: string;
  streamId: string;
  streamType: string;
  streamVersion: number;
  type: E['type'];
  data: E['data'];
  metadata: EventMetadata;
  recordedAt: Date;
  /** Global position: unique and increasing in insert order, not in commit order. */
  position: number;
  /** xid8 of the writing transaction, as a decimal string (it can exceed 2^53). */
  transactionId: string;
}

/** Where a reader of the global log stands: the last (transaction id, position) pair it has taken. */
export interface LogCheckpoint {
  transactionId: string;
  position: number;
}

export const LOG_START: LogCheckpoint = Object.freeze({ transactionId: '0', position: 0 });

/** Whether `a` comes strictly after `b` in the log's (transaction_id, position) order. */
export function isAfterCheckpoint(a: LogCheckpoint, b: LogCheckpoint): boolean {
  const [ta, tb] = [BigInt(a.transactionId), BigInt(b.transactionId)];
  return ta !== tb ? ta > tb : a.position > b.position;
}

/** The later of two points in the log's (transaction_id, position) order. */
export function laterCheckpoint(a: LogCheckpoint, b: LogCheckpoint): LogCheckpoint {
  return isAfterCheckpoint(b, a) ? b : a;
}

export interface AppendResult {
  /** The stream's version after this append: pass it as the next expected version. */
  nextExpectedVersion: number;
  /** Global position of the last event written. */
  lastPosition: number;
  events: RecordedEvent[];
}
