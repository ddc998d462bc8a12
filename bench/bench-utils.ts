/**
 * Small helpers for benchmarks under bench/: latency recording, percentiles, formatting,
 * scratch databases and env settings. No dependencies beyond `pg`.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';

// ---------------------------------------------------------------------------------------------
// pg type parsers
// ---------------------------------------------------------------------------------------------

/**
 * pg's stock text parsers for int8/json/jsonb, captured when this module is first evaluated.
 *
 * Emmett's driver (dumbo) replaces these process-wide on `pg.types` as soon as it creates its
 * first pool (int8 -> BigInt, json/jsonb -> its own JSON deserializer). The service never loads
 * dumbo, so pools that stand for the service (TypeORM, plain pg) get `types: pgStockTypes` to keep
 * the parsers the service really runs with, whatever Emmett does to the globals.
 */
const STOCK_OIDS = [20, 114, 3802] as const;
const stockTextParsers = new Map<number, (value: string) => unknown>(
  STOCK_OIDS.map((oid) => [oid, pg.types.getTypeParser(oid, 'text') as (value: string) => unknown]),
);
export const pgStockTypes = {
  getTypeParser(oid: number, format: 'text' | 'binary' = 'text'): unknown {
    if (format === 'text' && stockTextParsers.has(oid)) return stockTextParsers.get(oid);
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

// ---------------------------------------------------------------------------------------------
// Time, latency, percentiles
// ---------------------------------------------------------------------------------------------

export const now = (): number => performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Growable array of latency samples (milliseconds). */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private size = 0;

  record(ms: number): void {
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = ms;
  }

  get count(): number {
    return this.size;
  }

  /** Sorted copy of the samples. */
  sorted(): Float64Array {
    return this.samples.slice(0, this.size).sort();
  }

  summary(): LatencySummary {
    const sorted = this.sorted();
    return {
      count: sorted.length,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1] : NaN,
      mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
    };
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

export const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
export const fmtMs = (ms: number): string =>
  Number.isFinite(ms) ? (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)) : 'n/a';
export const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a');
export const fmtPct = (r: number): string => (Number.isFinite(r) ? `${(r * 100).toFixed(0)}%` : 'n/a');
export const passFail = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');

/** Renders rows as a fixed-width text table; numeric-looking cells are right-aligned. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = /^[-+]?[\d,.]+(x|%| ms)?$|^n\/a$|^[\d,.]+-[\d,.]+$/;
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric.test(cell) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Settings and databases
// ---------------------------------------------------------------------------------------------

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

export function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${name} must be a comma list of positive integers`);
  return values;
}

export const envFlag = (name: string): boolean => /^(1|true|yes|on)$/i.test(process.env[name] ?? '');

export async function runOnServer<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, types: pgStockTypes });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
