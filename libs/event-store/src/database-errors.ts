/*
 * What a PostgreSQL error says, wherever it sits: the driver's error, TypeORM's QueryFailedError
 * around it (`driverError`), or any error that chains one as its `cause`.
 */

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/** An error and those it wraps (TypeORM's `driverError`, then `cause`), outermost first; cycles end it. */
export function* errorChain(error: unknown): Generator<ErrorLike> {
  const seen = new Set<object>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    yield current as ErrorLike;
    pending.push((current as ErrorLike).driverError, (current as ErrorLike).cause);
  }
}

const sqlstateOf = (error: ErrorLike): string => (typeof error.code === 'string' ? error.code : '');

// SQLSTATE: the server is shutting down or starting up, or has no connection slot left.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// Class 08 is "connection exception".
const CONNECTION_EXCEPTION = /^08[0-9A-Z]{3}$/;
const UNREACHABLE_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// What node-postgres itself throws when a connection dies or cannot be had in time.
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable$/,
];

/**
 * PostgreSQL cannot be reached right now (down, restarting, out of connections): not that the
 * request was wrong or the code is broken, so the same request may well succeed shortly.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of errorChain(error)) {
    const code = sqlstateOf(link);
    if (UNAVAILABLE_SQLSTATES.has(code) || UNREACHABLE_SYSTEM_CODES.has(code) || CONNECTION_EXCEPTION.test(code)) return true;
    if (typeof link.message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(link.message as string))) return true;
  }
  return false;
}

/*
 * SQLSTATEs that say nothing about the statement's data: deadlock, serialization failure, lock
 * timeout (55P03), class 08 (connection), 53 (insufficient resources), 57 (operator intervention:
 * statement timeout, cancel, shutdown). The same work will most likely pass later.
 */
const TRANSIENT_SQLSTATE = /^(?:(?:08|53|57)[0-9A-Z]{3}|40001|40P01|55P03)$/;

/**
 * A transient PostgreSQL error, a lost connection included (isDatabaseUnavailable): retry the
 * work rather than blame its data.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  for (const link of errorChain(error)) if (TRANSIENT_SQLSTATE.test(sqlstateOf(link))) return true;
  return isDatabaseUnavailable(error);
}

// SQLSTATE class 22, "data exception": a value out of range, of the wrong syntax for its type, too long.
const DATA_EXCEPTION = /^22[0-9A-Z]{3}$/;

/** PostgreSQL refused a value (class 22): bad input that validation let through, not a broken server. */
export function isDataException(error: unknown): boolean {
  for (const link of errorChain(error)) if (DATA_EXCEPTION.test(sqlstateOf(link))) return true;
  return false;
}
