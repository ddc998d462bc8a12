import DataLoader from 'dataloader';
import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { AppendCombiner, type AppendedRow, type SingleAppend } from './append-combiner.js';
import { UniqueEventConstraintError, WrongExpectedVersionError } from './event-store.errors.js';
import { newEventId } from './event-ids.js';
import { queryPrepared, sendQuery, withPgClient, type PreparedStatement } from './pg-client.js';
import type { AppendResult, DomainEvent, EventMetadata, LogCheckpoint, RecordedEvent } from './event-store.types.js';

/** Anything that runs SQL: the DataSource itself, or a transaction's EntityManager. */
export type SqlRunner = Pick<DataSource | EntityManager, 'query'>;

export interface AppendOptions {
  streamType: string;
  /** Version the stream must be at; 0 means the stream must not exist yet. */
  expectedVersion: number;
  metadata: EventMetadata;
  /** Run inside the caller's transaction instead of on its own. */
  manager?: EntityManager;
}

export interface ReadLogOptions {
  limit?: number;
  /** Only these stream types (the checkpoint still moves past the others). */
  streamTypes?: readonly string[];
  manager?: EntityManager;
}

export interface ReadLogBatchOptions extends ReadLogOptions {
  /**
   * Ends the batch once its events reach this many bytes of data and metadata as JSON text (what a
   * reader holds, not the compressed stored size: payload_bytes). The first event is always read.
   */
  maxBytes: number;
}

export interface EventStoreOptions {
  /** Combined append statements in flight at once (see AppendCombiner). */
  maxAppendsInFlight?: number;
}

const UNIQUE_VIOLATION = '23505';
const STREAM_VERSION_CONSTRAINT = 'events_stream_version_unique';

// The text copy of transaction_id gets its own name: an output column named transaction_id would
// make ORDER BY transaction_id sort text ('999' after '1000') instead of xid8.
const EVENT_COLUMNS = `position, transaction_id::text AS transaction_id_text, event_id, stream_id, stream_type,
  stream_version, type, data, metadata, recorded_at`;

/*
 * The hot statements are named prepared statements: PostgreSQL parses and plans them once per
 * connection instead of on every call, which halves the server's CPU per append. The events of an
 * append arrive as one JSON array (see AppendCombiner for why).
 */
export const APPEND: PreparedStatement = {
  name: 'event_store_append',
  text: `INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
         SELECT e.event_id, $1, $2, e.version, e.type, e.data, $5::jsonb
           FROM jsonb_to_recordset($4::jsonb) AS e(event_id uuid, version int, type text, data jsonb)
          WHERE $3::int = 0 OR EXISTS (SELECT 1 FROM events WHERE stream_id = $1 AND stream_version = $3::int)
          ORDER BY e.version
         RETURNING position, transaction_id::text AS transaction_id_text, stream_version, recorded_at`,
};

const READ_STREAM: PreparedStatement = {
  name: 'event_store_read_stream',
  text: `SELECT ${EVENT_COLUMNS} FROM events
          WHERE stream_id = $1 AND stream_version > $2 AND stream_version <= $3 ORDER BY stream_version`,
};

/*
 * Several streams at once, each between its own versions. The ORDER BY keeps the LATERAL subquery from
 * being flattened into a join, which a plan made on a small table could run as a hash over the
 * whole table: per requested stream, it stays an index range scan.
 */
export const READ_STREAMS: PreparedStatement = {
  name: 'event_store_read_streams',
  text: `SELECT request.ord::int AS request, e.*
           FROM unnest($1::text[], $2::int[], $3::int[]) WITH ORDINALITY AS request(stream_id, after_version, to_version, ord)
           JOIN LATERAL (
             SELECT ${EVENT_COLUMNS} FROM events
              WHERE stream_id = request.stream_id
                AND stream_version > request.after_version AND stream_version <= request.to_version
              ORDER BY stream_version
           ) AS e ON true
          ORDER BY request.ord, e.stream_version`,
};

const LAST_VERSION = 2_147_483_647;

/**
 * Bytes of event JSON a log reader of the service takes per batch (see ReadLogBatchOptions.maxBytes): a few
 * MB of stories, whatever their length, where a batch of the largest (200,000-character bodies)
 * by count alone would fill a worker's heap.
 */
export const LOG_BATCH_MAX_BYTES = 4 * 1024 * 1024;

/** A batch of the log, and whether it reached the end of what was committed when it was read. */
export interface LogBatch {
  events: RecordedEvent[];
  reachedEnd: boolean;
}

/**
 * The commit-safe part of the log (see readLog): events whose transaction, and every transaction
 * before it, has committed or aborted for good. `alias` names the events table when a query joins.
 */
export const commitSafe = (alias?: string): string =>
  `${alias ? `${alias}.` : ''}transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

/** Events after the checkpoint ($1, $2) in the commit-safe part of the log. */
const COMMIT_SAFE_AFTER_CHECKPOINT = `(transaction_id, position) > ($1::xid8, $2::bigint)
            AND ${commitSafe()}`;

/** The last event of the commit-safe log. `events.` keeps ORDER BY on the xid8 column, not the text alias. */
const LOG_END: PreparedStatement = {
  name: 'event_store_log_end',
  text: `SELECT transaction_id::text AS transaction_id_text, position FROM events
          WHERE ${commitSafe()}
          ORDER BY events.transaction_id DESC, events.position DESC
          LIMIT 1`,
};

/** A page of the log: up to $3 events after the checkpoint, of the stream types $4 if filtered. */
const logPage = (filtered: boolean, columns: string) => `SELECT ${columns} FROM events
          WHERE ${COMMIT_SAFE_AFTER_CHECKPOINT}
            ${filtered ? 'AND stream_type = ANY($4::text[])' : ''}
          ORDER BY events.transaction_id, events.position
          LIMIT $3`;

const logQuery = (filtered: boolean): PreparedStatement => ({
  name: filtered ? 'event_store_read_log_filtered' : 'event_store_read_log',
  text: logPage(filtered, EVENT_COLUMNS),
});

/*
 * The same page, cut where its size as text (payload_bytes) passes the budget ($4, or $5 with stream types). The
 * window sums run over the page alone (at most LIMIT rows); page_rows says whether the page itself
 * was short, i.e. the committed log ended inside it.
 */
const sizedLogQuery = (filtered: boolean): PreparedStatement => ({
  name: filtered ? 'event_store_read_log_sized_filtered' : 'event_store_read_log_sized',
  text: `SELECT ${EVENT_COLUMNS}, page_rows FROM (
           SELECT page.*, count(*) OVER () AS page_rows,
                  sum(page.payload_bytes) OVER (ORDER BY page.transaction_id, page.position) AS bytes_through
             FROM (${logPage(filtered, '*')}) AS page
         ) AS events
          WHERE bytes_through - payload_bytes < $${filtered ? 5 : 4}
          ORDER BY events.transaction_id, events.position`,
});

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
  private readonly combiner: AppendCombiner;
  /*
   * Stream reads made outside a transaction that arrive together (in one turn of the event loop)
   * go as one statement: under load, one round trip serves many writers. No cache: every read is
   * fresh.
   */
  private readonly streamReads = new DataLoader<{ streamId: string; afterVersion: number; toVersion: number }, EventRow[]>(
    async (requests) => {
      const rows = await this.query<EventRow & { request: number }>(undefined, READ_STREAMS, [
        requests.map((request) => request.streamId),
        requests.map((request) => request.afterVersion),
        requests.map((request) => request.toVersion),
      ]);
      const byRequest = requests.map((): EventRow[] => []);
      for (const row of rows) byRequest[row.request - 1].push(row);
      return byRequest;
    },
    { cache: false, maxBatchSize: 200, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );

  constructor(
    private readonly dataSource: DataSource,
    options: EventStoreOptions = {},
  ) {
    this.combiner = new AppendCombiner((run) => this.withClient(undefined, run), options.maxAppendsInFlight ?? 2);
  }

  /**
   * Appends events at expectedVersion + 1, + 2, ... in one statement (so one transaction).
   * A concurrent writer at the same version hits the unique constraint; an expected version
   * ahead of the stream matches no previous event and inserts nothing. Either way nothing is
   * written and WrongExpectedVersionError is thrown.
   *
   * A single event outside a caller's transaction goes through the AppendCombiner, which writes
   * appends that arrive together in one statement; each still succeeds or fails on its own.
   */
  async appendToStream(streamId: string, events: readonly DomainEvent[], options: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const { expectedVersion, streamType, metadata } = options;
    const eventIds = events.map(() => newEventId());
    if (events.length === 1 && !options.manager) {
      const append: SingleAppend = {
        eventId: eventIds[0],
        streamId,
        streamType,
        expectedVersion,
        type: events[0].type,
        data: JSON.stringify(events[0].data),
        metadata: JSON.stringify(metadata),
      };
      const written = await this.combiner.append(append, () => this.appendAlone(append));
      return resultOf(streamId, streamType, expectedVersion, eventIds, events, metadata, [written]);
    }
    const rows = await this.withClient(options.manager, (client) =>
      insertAppend(client, {
        streamId,
        streamType,
        expectedVersion,
        events: events.map((event, index) => ({ eventId: eventIds[index], type: event.type, data: JSON.stringify(event.data) })),
        metadata: JSON.stringify(metadata),
      }),
    );
    return resultOf(streamId, streamType, expectedVersion, eventIds, events, metadata, rows);
  }

  /** The stream's events in version order, optionally only up to a version. */
  async readStream<E extends DomainEvent = DomainEvent>(
    streamId: string,
    options: { afterVersion?: number; toVersion?: number; manager?: EntityManager } = {},
  ): Promise<RecordedEvent<E>[]> {
    const afterVersion = options.afterVersion ?? 0;
    const toVersion = options.toVersion ?? LAST_VERSION;
    const rows = options.manager
      ? await this.query<EventRow>(options.manager, READ_STREAM, [streamId, afterVersion, toVersion])
      : await this.streamReads.load({ streamId, afterVersion, toVersion });
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
    const params: unknown[] = [after.transactionId, after.position, options.limit ?? 1000];
    if (options.streamTypes) params.push(options.streamTypes);
    const rows = await this.query<EventRow>(options.manager, logQuery(options.streamTypes !== undefined), params);
    return rows.map(toRecordedEvent);
  }

  /**
   * readLog with a size budget, for readers that go on until the end of the log: a batch cut
   * short by its size is no sign of that end, `reachedEnd` is.
   */
  async readLogBatch(after: LogCheckpoint, options: ReadLogBatchOptions): Promise<LogBatch> {
    const limit = options.limit ?? 1000;
    const filtered = options.streamTypes !== undefined;
    const params: unknown[] = [after.transactionId, after.position, limit];
    if (filtered) params.push(options.streamTypes);
    params.push(options.maxBytes);
    const rows = await this.query<EventRow & { page_rows: string }>(options.manager, sizedLogQuery(filtered), params);
    const pageRows = rows.length > 0 ? Number(rows[0].page_rows) : 0;
    return { events: rows.map(toRecordedEvent), reachedEnd: pageRows < limit && rows.length === pageRows };
  }

  /**
   * The last event of the commit-safe log, of any stream type (null while it is empty): every
   * event up to it has committed, or aborted, for good.
   */
  async readLogEnd(manager?: EntityManager): Promise<LogCheckpoint | null> {
    const [row] = await this.query<{ transaction_id_text: string; position: string }>(manager, LOG_END, []);
    return row ? { transactionId: row.transaction_id_text, position: Number(row.position) } : null;
  }

  /** The event at a global position, or null (used to wait for read models to catch up). */
  async readEventAt(position: number, manager?: EntityManager): Promise<RecordedEvent | null> {
    const rows = await this.query<EventRow>(manager, { text: `SELECT ${EVENT_COLUMNS} FROM events WHERE position = $1` }, [position]);
    return rows.length ? toRecordedEvent(rows[0]) : null;
  }

  /** The highest position of a committed event, whatever the commit order; 0 for an empty log. */
  async readLastPosition(manager?: EntityManager): Promise<number> {
    const [row] = await this.query<{ position: string | null }>(manager, { text: 'SELECT max(position) AS position FROM events' }, []);
    return Number(row?.position ?? 0);
  }

  /**
   * How many committed events lie after a checkpoint (capped, for lag metrics): also those the
   * commit-safe log still holds back behind a transaction open elsewhere, since a reader waiting
   * on them is behind all the same.
   */
  async countAfter(after: LogCheckpoint, cap = 1_000_000, manager?: EntityManager): Promise<number> {
    const [row] = await this.query<{ n: number }>(
      manager,
      {
        text: `SELECT count(*)::int AS n FROM (
                 SELECT 1 FROM events WHERE (transaction_id, position) > ($1::xid8, $2::bigint) LIMIT $3) AS pending`,
      },
      [after.transactionId, after.position, cap],
    );
    return row.n;
  }

  private appendAlone(append: SingleAppend): Promise<AppendedRow> {
    return this.withClient(undefined, async (client) => {
      const [row] = await insertAppend(client, {
        streamId: append.streamId,
        streamType: append.streamType,
        expectedVersion: append.expectedVersion,
        events: [{ eventId: append.eventId, type: append.type, data: append.data }],
        metadata: append.metadata,
      });
      return row;
    });
  }

  private query<T extends pg.QueryResultRow>(
    manager: EntityManager | undefined,
    statement: PreparedStatement | { text: string },
    values: unknown[],
  ): Promise<T[]> {
    return queryPrepared<T>(this.dataSource, statement, values, manager);
  }

  private withClient<T>(manager: EntityManager | undefined, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withPgClient(this.dataSource, manager, run);
  }
}

/** An event to append, its data already JSON text. */
interface EventToInsert {
  eventId: string;
  type: string;
  data: string;
}

async function insertAppend(
  client: pg.PoolClient,
  append: { streamId: string; streamType: string; expectedVersion: number; events: EventToInsert[]; metadata: string },
): Promise<AppendedRow[]> {
  const eventsJson = append.events.map(
    (event, index) =>
      `{"event_id":"${event.eventId}","version":${append.expectedVersion + index + 1},"type":${JSON.stringify(event.type)},"data":${event.data}}`,
  );
  let rows: AppendedRow[];
  try {
    ({ rows } = await sendQuery<AppendedRow>(client, {
      ...APPEND,
      values: [append.streamId, append.streamType, append.expectedVersion, `[${eventsJson.join(',')}]`, append.metadata],
    }));
  } catch (error) {
    if (isStreamVersionConflict(error)) throw new WrongExpectedVersionError(append.streamId, append.expectedVersion);
    const otherRule = uniqueViolationOf(error);
    if (otherRule !== null) throw new UniqueEventConstraintError(append.streamId, otherRule);
    throw error;
  }
  if (rows.length === 0) throw new WrongExpectedVersionError(append.streamId, append.expectedVersion);
  return rows.sort((a, b) => a.stream_version - b.stream_version);
}

function resultOf(
  streamId: string,
  streamType: string,
  expectedVersion: number,
  eventIds: string[],
  events: readonly DomainEvent[],
  metadata: EventMetadata,
  rows: AppendedRow[],
): AppendResult {
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

function isStreamVersionConflict(error: unknown): boolean {
  return uniqueViolationOf(error) === STREAM_VERSION_CONSTRAINT;
}

/** The name of the unique constraint or index the statement broke, or null for any other error. */
function uniqueViolationOf(error: unknown): string | null {
  const driverError = error as { code?: string; constraint?: string } | null;
  return driverError?.code === UNIQUE_VIOLATION ? (driverError.constraint ?? null) : null;
}
