import { PreconditionFailedProblem, ValidationProblem } from './problem-details.js';

export const etagFor = (version: number): string => `"${version}"`;

/** An entity-tag (RFC 9110 section 8.8.3): an optional W/ and a quoted string of visible characters, commas included. */
const ETAGC = '[\\x21\\x23-\\x7e\\x80-\\xff]';
const ENTITY_TAG = `(?:W/)?"${ETAGC}*"`;
/** A list of them, empty elements allowed (RFC 9110 section 5.6.1.2), at least one tag. */
const ENTITY_TAG_LIST = new RegExp(`^(?:\\s*,)*\\s*${ENTITY_TAG}\\s*(?:,(?:\\s*${ENTITY_TAG})?\\s*)*$`);
const EACH_TAG = new RegExp(`(W/)?"(${ETAGC}*)"`, 'g');
/** The ETags we give (etagFor): a version without leading zeros. */
const VERSION_TAG = /^(0|[1-9]\d{0,8})$/;

/**
 * The versions a client accepts from `If-Match`: `"3"`, or a list such as `"3", "4"`; undefined
 * when absent or `*` (any version). If-Match compares strongly: a weak tag (`W/"3"`), or one we
 * never give (`"03"`, `"abc"`), is well-formed but matches no version, so a list of only such tags
 * is an empty list (412). A header that is not a list of entity-tags is a 400, not a silent
 * unconditional write.
 */
export function parseIfMatch(header: string | string[] | undefined): readonly number[] | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return undefined;
  if (!ENTITY_TAG_LIST.test(value)) {
    throw new ValidationProblem([{ field: 'If-Match', message: 'must be a strong ETag such as "3", a list of them, or *' }]);
  }
  // A tag holds no quote, so in a valid list each quoted string is one tag.
  return [...value.matchAll(EACH_TAG)]
    .filter(([, weak, opaque]) => weak === undefined && VERSION_TAG.test(opaque))
    .map(([, , opaque]) => Number(opaque));
}

/** 412 unless `If-Match` (see parseIfMatch) accepts the current version. */
export function assertVersionMatches(expected: readonly number[] | undefined, current: number): void {
  if (expected !== undefined && !expected.includes(current)) {
    const named = expected.length === 0 ? 'If-Match names no version of it' : `not ${expected.join(' or ')}`;
    throw new PreconditionFailedProblem(`The article is at version ${current}, ${named}.`, current);
  }
}

/** A global position as `X-Min-Position` takes it: up to 15 digits, exact as a JavaScript number. */
export const MIN_POSITION_PATTERN = '^\\d{1,15}$';
const MIN_POSITION = new RegExp(MIN_POSITION_PATTERN);

/** `X-Min-Position: <position>`: the global position a read must reflect. */
export function parseMinPosition(header: string | string[] | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (!MIN_POSITION.test(value.trim())) {
    throw new ValidationProblem([{ field: 'X-Min-Position', message: 'must be a non-negative integer position of at most 15 digits' }]);
  }
  return Number(value);
}
