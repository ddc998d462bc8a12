/*
 * Errors that say PostgreSQL cannot be reached right now (down, restarting, out of connections),
 * not that the request was wrong or the code is broken: the same request may well succeed shortly.
 */

// SQLSTATE: the server is shutting down or starting up, or has no connection slot left.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// Class 08 is "connection exception".
const CONNECTION_EXCEPTION_CLASS = '08';
const UNREACHABLE_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// What node-postgres itself throws when a connection dies or cannot be had in time.
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable$/,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  // TypeORM wraps the driver's error (driverError); other layers may chain it as `cause`.
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    if (UNAVAILABLE_SQLSTATES.has(code) || UNREACHABLE_SYSTEM_CODES.has(code)) return true;
    if (code.length === 5 && code.startsWith(CONNECTION_EXCEPTION_CLASS)) return true;
    if (typeof candidate.message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(candidate.message as string))) return true;
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}
