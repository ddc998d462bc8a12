import type { DomainEvent } from '#libs/event-store';

/**
 * An event as a projection sees it, whether it came from Kafka or straight from the store's log.
 * Projections never see the same (stream, version) twice: the runner drops repeats.
 */
export type ProjectedEvent<E extends DomainEvent = DomainEvent> = E extends DomainEvent
  ? {
      eventId: string;
      streamId: string;
      streamType: string;
      streamVersion: number;
      /** The article the event belongs to (the Kafka key); failures park per key. */
      key: string;
      type: E['type'];
      data: E['data'];
      position: number;
      recordedAt: Date;
    }
  : never;

/** What a projection gets to write with: SQL inside the batch's transaction. */
export interface ProjectionContext {
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * The physical name of one of the projection's tables. While a rebuild fills fresh tables this
   * is not the live name, so projections must never hard-code their table names in SQL.
   */
  table(name: string): string;
}

/** What a projection gets at a rebuild's swap: SQL inside the swap's transaction, and both sets of tables. */
export interface SwapContext {
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The physical name of one of the projection's live tables (the ones readers see until the commit). */
  live(name: string): string;
  /** The physical name of its fresh copy, complete up to the end of the log. */
  fresh(name: string): string;
}

export interface Projection {
  /** Kebab-case, stable: used for consumer groups, checkpoints, metrics and the rebuild endpoint. */
  readonly name: string;
  /** Stream types it reads (`article`, `reaction`): the topics it consumes, the log it rebuilds from. */
  readonly streamTypes: readonly string[];
  /** The tables it owns (created by migrations), swapped as a whole by a rebuild. */
  readonly tables: readonly string[];
  /**
   * Applies a batch, in log order per stream, inside one transaction. Batch-level so a projection
   * can write one statement per table (or one row per article) however many events arrive.
   */
  apply(events: readonly ProjectedEvent[], context: ProjectionContext): Promise<void>;
  /**
   * For what a projection keeps that the log cannot give back (when the public feed listed each
   * story): runs in a rebuild's swap transaction, after the last events, just before the fresh
   * tables replace the live ones; no live batch is running and the live tables are locked. It runs
   * once before that too, in a transaction of its own while live batches go on, so that the swap
   * has less to write (not less to read): it must be idempotent.
   */
  beforeSwap?(context: SwapContext): Promise<void>;
}

/** The runner's own table for a projection: the last version applied per stream (idempotency). */
export const streamsTableOf = (projection: Pick<Projection, 'name'>): string =>
  `${projection.name.replace(/-/g, '_')}_streams`;

/** DDL of a projection's streams table; call it from the projection's migration. */
export const streamsTableDdl = (table: string): string =>
  `CREATE TABLE ${table} (
     stream_id text PRIMARY KEY,
     version integer NOT NULL,
     position bigint NOT NULL
   )`;

/** Groups a batch by article, keeping each article's events in order. */
export function groupByKey<E extends { key: string }>(events: readonly E[]): Map<string, E[]> {
  const groups = new Map<string, E[]>();
  for (const event of events) {
    const group = groups.get(event.key);
    if (group) group.push(event);
    else groups.set(event.key, [event]);
  }
  return groups;
}
