import { PreconditionFailedProblem, ValidationProblem } from './problem-details.js';

export const etagFor = (version: number): string => `"${version}"`;

/**
 * The version a client expects from `If-Match: "<version>"`; undefined when absent or `*`.
 * A malformed header is a 400, not a silent unconditional write.
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return undefined;
  const match = /^"(\d{1,9})"$/.exec(value);
  if (!match) {
    throw new ValidationProblem([{ field: 'If-Match', message: 'must be a strong ETag such as "3"' }]);
  }
  return Number(match[1]);
}

export function assertVersionMatches(expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) {
    throw new PreconditionFailedProblem(`The article is at version ${current}, not ${expected}.`, current);
  }
}

/** `X-Min-Position: <position>`: the global position a read must reflect. */
export function parseMinPosition(header: string | string[] | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (!/^\d{1,15}$/.test(value.trim())) {
    throw new ValidationProblem([{ field: 'X-Min-Position', message: 'must be a non-negative integer position' }]);
  }
  return Number(value);
}
