import type pg from 'pg';
import { WrongExpectedVersionError } from './event-store.errors.js';

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
 * The same rules as a single append, row by row: the version after the expected one, an EXISTS
 * on the expected version, and the unique (stream_id, stream_version) constraint; a row that
 * loses is skipped (DO NOTHING) and fails only its own append.
 */
const COMBINED_APPEND = {
  name: 'event_store_combined_append',
  text: `INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
         SELECT r.event_id, r.stream_id, r.stream_type, r.expected + 1, r.type, r.data, r.metadata
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[], $7::jsonb[])
                AS r(event_id, stream_id, stream_type, expected, type, data, metadata)
          WHERE r.expected = 0 OR EXISTS (SELECT 1 FROM events e WHERE e.stream_id = r.stream_id AND e.stream_version = r.expected)
          ORDER BY r.stream_id
         ON CONFLICT ON CONSTRAINT events_stream_version_unique DO NOTHING
         RETURNING event_id, position, transaction_id::text AS transaction_id_text, stream_version, recorded_at`,
};

const MAX_BATCH = 500;

/**
 * Write combining (group commit) for one-event appends. While a statement is in flight, appends
 * that arrive queue up and then go out together as ONE insert: one transaction and one WAL flush
 * for all of them, so many concurrent writers cost the database far less than one statement each.
 * An append alone in the queue goes out at once, as a plain append: no added latency.
 *
 * Each append still succeeds or fails on its own. Two appends to the same stream never share a
 * statement (a statement does not see its own rows in the version check), and a statement that
 * fails for another reason (say, one event's data) is retried append by append, so only the
 * faulty one fails.
 */
export class AppendCombiner {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly withClient: <T>(run: (client: pg.PoolClient) => Promise<T>) => Promise<T>,
    private readonly maxInFlight: number,
  ) {}

  /** `alone` writes this append by itself, as appendToStream does for any other append. */
  append(append: SingleAppend, alone: () => Promise<AppendedRow>): Promise<AppendedRow> {
    return new Promise<AppendedRow>((resolve, reject) => {
      this.queue.push({ append, alone, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.flush();
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
        const appends = batch.map((pending) => pending.append);
        const result = await client.query<CombinedRow>({
          ...COMBINED_APPEND,
          values: [
            appends.map((a) => a.eventId),
            appends.map((a) => a.streamId),
            appends.map((a) => a.streamType),
            appends.map((a) => a.expectedVersion),
            appends.map((a) => a.type),
            appends.map((a) => a.data),
            appends.map((a) => a.metadata),
          ],
        });
        return result.rows;
      });
    } catch {
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
