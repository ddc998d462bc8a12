import type pg from 'pg';
import { isDatabaseUnavailable } from './database-errors.js';
import { WrongExpectedVersionError } from './event-store.errors.js';
import { sendQuery } from './pg-client.js';

/** A one-event append made outside any caller's transaction; data and metadata as JSON text. */
export interface SingleAppend {
  eventId: string;
  streamId: string;
  streamType: string;
  expectedVersion: number;
  type: string;
  data: string;
  metadata: string;
}

export interface AppendedRow {
  position: string;
  transaction_id_text: string;
  stream_version: number;
  recorded_at: Date;
}

type CombinedRow = AppendedRow & { event_id: string };

interface Pending {
  append: SingleAppend;
  alone: () => Promise<AppendedRow>;
  resolve: (row: AppendedRow) => void;
  reject: (error: unknown) => void;
}

/*
 * The same rules as a single append, row by row: the version after the expected one, a check
 * that the expected version exists, and the unique (stream_id, stream_version) constraint; a row
 * that loses is skipped (DO NOTHING) and fails only its own append.
 *
 * The batch arrives as one JSON array: far cheaper to encode and parse than seven arrays (pg
 * escapes every element of a jsonb[] by hand). The check is a scalar subquery, not EXISTS: the
 * planner may turn EXISTS into a hashed subplan that reads the whole table, and the cached plan of
 * a statement first prepared while the table was small would then do so forever after.
 */
export const COMBINED_APPEND = {
  name: 'event_store_combined_append',
  text: `INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
         SELECT r.event_id, r.stream_id, r.stream_type, r.expected + 1, r.type, r.data, r.metadata
           FROM jsonb_to_recordset($1::jsonb)
                AS r(event_id uuid, stream_id text, stream_type text, expected int, type text, data jsonb, metadata jsonb)
          WHERE r.expected = 0
             OR (SELECT e.stream_version FROM events e WHERE e.stream_id = r.stream_id AND e.stream_version = r.expected) IS NOT NULL
          ORDER BY r.stream_id
         ON CONFLICT ON CONSTRAINT events_stream_version_unique DO NOTHING
         RETURNING event_id, position, transaction_id::text AS transaction_id_text, stream_version, recorded_at`,
};

const MAX_BATCH = 500;

/**
 * Write combining (group commit) for one-event appends. Appends that arrive together (in the same
 * turn of the event loop, or while statements are in flight) go out as ONE insert: one
 * transaction and one WAL flush for all of them, so many concurrent writers cost the database far
 * less than one statement each. An append alone in the queue goes out as a plain append.
 *
 * Each append still succeeds or fails on its own. Two appends to the same stream never share a
 * statement (a statement does not see its own rows in the version check), and a statement the
 * database refuses for another reason (say, one event's data) is retried append by append, so only
 * the faulty one fails. A statement whose connection is lost is not retried: it may have committed.
 */
export class AppendCombiner {
  private queue: Pending[] = [];
  private inFlight = 0;
  private flushScheduled = false;

  constructor(
    private readonly withClient: <T>(run: (client: pg.PoolClient) => Promise<T>) => Promise<T>,
    private readonly maxInFlight: number,
  ) {}

  /** `alone` writes this append by itself, as appendToStream does for any other append. */
  append(append: SingleAppend, alone: () => Promise<AppendedRow>): Promise<AppendedRow> {
    return new Promise<AppendedRow>((resolve, reject) => {
      this.queue.push({ append, alone, resolve, reject });
      this.scheduleFlush();
    });
  }

  /*
   * Waits for the microtasks already queued: when a statement returns, its writers' next appends
   * arrive a few promise hops later, and flushing on the first one would send it alone and the
   * rest apart from it.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.scheduleFlush();
      });
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const streams = new Set<string>();
    for (const pending of this.queue) {
      if (batch.length < MAX_BATCH && !streams.has(pending.append.streamId)) {
        batch.push(pending);
        streams.add(pending.append.streamId);
      } else {
        rest.push(pending);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async send(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.sendAlone(batch[0]);
    let rows: CombinedRow[];
    try {
      rows = await this.withClient(async (client) => {
        const result = await sendQuery<CombinedRow>(client, { ...COMBINED_APPEND, values: [batchJson(batch)] });
        return result.rows;
      });
    } catch (error) {
      // A lost connection says nothing of the commit: the statement may have been written. Sent
      // again, each append would meet its own row and fail as a lost race (or, re-decided, be
      // written twice); so every append answers "unavailable", which the caller reports as such.
      if (isDatabaseUnavailable(error)) {
        for (const { reject } of batch) reject(error);
        return;
      }
      await Promise.all(batch.map((pending) => this.sendAlone(pending)));
      return;
    }
    const written = new Map(rows.map((row) => [row.event_id, row]));
    for (const { append, resolve, reject } of batch) {
      const row = written.get(append.eventId);
      if (row) resolve(row);
      else reject(new WrongExpectedVersionError(append.streamId, append.expectedVersion));
    }
  }

  private async sendAlone({ alone, resolve, reject }: Pending): Promise<void> {
    try {
      resolve(await alone());
    } catch (error) {
      reject(error);
    }
  }
}

/** The batch as the JSON array COMBINED_APPEND reads; data and metadata are JSON text already. */
function batchJson(batch: Pending[]): string {
  const rows = batch.map(
    ({ append: a }) =>
      `{"event_id":"${a.eventId}","stream_id":${JSON.stringify(a.streamId)},"stream_type":${JSON.stringify(a.streamType)},` +
      `"expected":${a.expectedVersion},"type":${JSON.stringify(a.type)},"data":${a.data},"metadata":${a.metadata}}`,
  );
  return `[${rows.join(',')}]`;
}
