import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { WrongExpectedVersionError } from './event-store.errors.js';
import type {
  AppendResult,
  DomainEvent,
  EventMetadata,
  LogCheckpoint,
  RecordedEvent,
} from './event-store.types.js';

/** Anything that runs SQL: the DataSource itself, or a transaction's EntityManager. */
export type SqlRunner = Pick<DataSource | EntityManager, 'query'>;

export interface AppendOptions {
  streamType: string;
  /** Version the stream must be at; 0 means the stream must not exist yet. */
  expectedVersion: number;
  metadata: EventMetadata;
  /** Run inside the caller's transaction instead of on its own. */
  manager?: SqlRunner;
}

export interface ReadLogOptions {
  limit?: number;
  /** Only these stream types (the checkpoint still moves past the others). */
  streamTypes?: readonly string[];
  manager?: SqlRunner;
}

const UNIQUE_VIOLATION = '23505';
const STREAM_VERSION_CONSTRAINT = 'events_stream_version_unique';

// The text copy of transaction_id gets its own name: an output column named transaction_id would
// make ORDER BY transaction_id sort text ('999' after '1000') instead of xid8.
const EVENT_COLUMNS = `position, transaction_id::text AS transaction_id_text, event_id, stream_id, stream_type,
  stream_version, type, data, metadata, recorded_at`;

interface EventRow {
  position: string;
  transaction_id_text: string;
  event_id: string;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

const toRecordedEvent = (row: EventRow): RecordedEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  streamType: row.stream_type,
  streamVersion: row.stream_version,
  type: row.type,
  data: row.data,
  metadata: row.metadata,
  recordedAt: row.recorded_at,
  position: Number(row.position),
  transactionId: row.transaction_id_text,
});

/**
 * The event store: PostgreSQL table `events`, the source of truth and the outbox.
 * Optimistic concurrency rests on the unique (stream_id, stream_version) constraint.
 */
export class EventStore {
  constructor(private readonly db: SqlRunner) {}

  /**
   * Appends events at expectedVersion + 1, + 2, ... in one statement (so one transaction).
   * A concurrent writer at the same version hits the unique constraint; an expected version
   * ahead of the stream matches no previous event and inserts nothing. Either way nothing is
   * written and WrongExpectedVersionError is thrown.
   */
  async appendToStream(streamId: string, events: readonly DomainEvent[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const { expectedVersion, streamType, metadata } = options;
    const eventIds = events.map(() => uuidv7());
    const metadataJson = JSON.stringify(metadata);
    let rows: { position: string; transaction_id_text: string; stream_version: number; recorded_at: Date }[];
    try {
      rows = await (options.manager ?? this.db).query(
        `INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
         SELECT e.event_id, $1, $2, $3::int + e.ord::int, e.type, e.data, $7::jsonb
           FROM unnest($4::uuid[], $5::text[], $6::jsonb[]) WITH ORDINALITY AS e(event_id, type, data, ord)
          WHERE $3::int = 0 OR EXISTS (SELECT 1 FROM events WHERE stream_id = $1 AND stream_version = $3::int)
          ORDER BY e.ord
         RETURNING position, transaction_id::text AS transaction_id_text, stream_version, recorded_at`,
        [
          streamId,
          streamType,
          expectedVersion,
          eventIds,
          events.map((event) => event.type),
          events.map((event) => JSON.stringify(event.data)),
          metadataJson,
        ],
      );
    } catch (error) {
      if (isStreamVersionConflict(error)) throw new WrongExpectedVersionError(streamId, expectedVersion);
      throw error;
    }
    if (rows.length === 0) throw new WrongExpectedVersionError(streamId, expectedVersion);
    rows.sort((a, b) => a.stream_version - b.stream_version);
    const recorded = rows.map<RecordedEvent>((row, index) => ({
      eventId: eventIds[index],
      streamId,
      streamType,
      streamVersion: row.stream_version,
      type: events[index].type,
      data: events[index].data,
      metadata,
      recordedAt: row.recorded_at,
      position: Number(row.position),
      transactionId: row.transaction_id_text,
    }));
    return {
      nextExpectedVersion: expectedVersion + events.length,
      lastPosition: Math.max(...recorded.map((event) => event.position)),
      events: recorded,
    };
  }

  /** The stream's events in version order, optionally only up to a version. */
  async readStream<E extends DomainEvent = DomainEvent>(
    streamId: string,
    options: { toVersion?: number; manager?: SqlRunner } = {},
  ): Promise<RecordedEvent<E>[]> {
    const rows: EventRow[] = await (options.manager ?? this.db).query(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE stream_id = $1 AND stream_version <= $2
        ORDER BY stream_version`,
      [streamId, options.toVersion ?? 2_147_483_647],
    );
    return rows.map(toRecordedEvent) as RecordedEvent<E>[];
  }

  /**
   * The next events of the global log after a checkpoint, in commit-safe order.
   *
   * Positions are handed out at insert time but become visible at commit time, so a reader that
   * followed positions alone would pass an event whose transaction is still open and never see it.
   * Only rows of transactions older than every transaction still running are read
   * (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`): that set can no longer grow, so
   * ordering it by (transaction_id, position) and checkpointing that pair skips nothing and
   * repeats nothing.
   */
  async readLog(after: LogCheckpoint, options: ReadLogOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.limit ?? 1000;
    const params: unknown[] = [after.transactionId, after.position, limit];
    let typeFilter = '';
    if (options.streamTypes) {
      params.push(options.streamTypes);
      typeFilter = 'AND stream_type = ANY($4::text[])';
    }
    const rows: EventRow[] = await (options.manager ?? this.db).query(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          ${typeFilter}
        ORDER BY events.transaction_id, events.position
        LIMIT $3`,
      params,
    );
    return rows.map(toRecordedEvent);
  }

  /** The event at a global position, or null (used to wait for read models to catch up). */
  async readEventAt(position: number, manager?: SqlRunner): Promise<RecordedEvent | null> {
    const rows: EventRow[] = await (manager ?? this.db).query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position = $1`,
      [position],
    );
    return rows.length ? toRecordedEvent(rows[0]) : null;
  }

  /** How many committed events lie after a checkpoint (capped, for lag metrics). */
  async countAfter(after: LogCheckpoint, cap = 1_000_000, manager?: SqlRunner): Promise<number> {
    const [row] = await (manager ?? this.db).query(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM events
          WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
            AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          LIMIT $3) AS pending`,
      [after.transactionId, after.position, cap],
    );
    return row.n;
  }
}

function isStreamVersionConflict(error: unknown): boolean {
  const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string }) : undefined;
  return driverError?.code === UNIQUE_VIOLATION && driverError.constraint === STREAM_VERSION_CONSTRAINT;
}
