import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { isUuid } from '#libs/contracts';
import { ValidationProblem } from '#libs/http';
import { IsIntegerParam } from './query-params.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const MAX_CURSOR_LENGTH = 512;

/** `limit` and `cursor` of every paged read; a feature's query DTO extends it with its filters. */
export class PageRequest {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @IsIntegerParam(1, MAX_PAGE_SIZE)
  limit?: number;

  /** Opaque: the `nextCursor` of the previous page. */
  @ApiPropertyOptional({ maxLength: MAX_CURSOR_LENGTH, description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsCursor()
  @IsString()
  @MaxLength(MAX_CURSOR_LENGTH)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/**
 * The sort key of a row, as the values of its ORDER BY columns. Times travel as ISO strings
 * (read models store event times, which have millisecond precision, so the round trip is exact);
 * integers as decimal strings (a bigint does not fit a JSON number).
 */
export type CursorKey = readonly string[];
export type CursorPart = 'timestamp' | 'uuid' | 'integer';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Date.parse rolls impossible dates over (30 February, hour 24) and takes year 0000; PostgreSQL
// refuses those, so only a time that survives the round trip, from year 0001 on, is a key.
const isTimestamp = (value: string): boolean =>
  ISO_TIMESTAMP.test(value) && !value.startsWith('0000') && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;

const BIGINT_MAX = 2n ** 63n - 1n;

/** A non-negative PostgreSQL bigint, written as String(n) writes it (no sign, no leading zeros). */
const isInteger = (value: string): boolean => /^(0|[1-9]\d{0,18})$/.test(value) && BigInt(value) <= BIGINT_MAX;

const PART_CHECKS: Record<CursorPart, (value: string) => boolean> = { timestamp: isTimestamp, uuid: isUuid, integer: isInteger };

const isPart = (value: unknown, part: CursorPart): value is string => typeof value === 'string' && PART_CHECKS[part](value);
const CURSOR_PARTS = Object.keys(PART_CHECKS) as CursorPart[];

/** base64url of the key's JSON: opaque to clients, and no state kept on the server. */
export const encodeCursor = (key: CursorKey): string => Buffer.from(JSON.stringify(key)).toString('base64url');

const CURSOR_MESSAGE = 'cursor must be a nextCursor returned by this endpoint';

function keyIn(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A cursor of any key this service gives (times, ids, integers), checked with the other query
 * parameters so that a 400 lists it beside them; decodeCursor then checks the endpoint's own shape.
 */
function IsCursor() {
  return ValidateBy({
    name: 'isCursor',
    validator: {
      validate: (value) => {
        const key = typeof value === 'string' ? keyIn(value) : undefined;
        return Array.isArray(key) && key.length > 0 && key.every((part) => CURSOR_PARTS.some((shape) => isPart(part, shape)));
      },
      defaultMessage: () => CURSOR_MESSAGE,
    },
  });
}

/** The key inside a cursor, checked against the endpoint's key shape; anything else is a 400. */
export function decodeCursor(cursor: string, shape: readonly CursorPart[]): string[] {
  const key = keyIn(cursor);
  if (!Array.isArray(key) || key.length !== shape.length || !key.every((value, i) => isPart(value, shape[i]))) {
    throw new ValidationProblem([{ field: 'cursor', message: CURSOR_MESSAGE }]);
  }
  return key;
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only says that another page exists,
 * and the cursor points after the last row shown.
 */
export function toPage<Row, Item>(
  rows: readonly Row[],
  limit: number,
  keyOf: (row: Row) => CursorKey,
  toItem: (row: Row) => Item,
): Page<Item> {
  const shown = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(keyOf(shown[shown.length - 1])) : null;
  return { items: shown.map(toItem), nextCursor };
}
