import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Public reads may be cached by anyone, briefly: stories change (corrections, reactions). */
const PUBLIC_CACHE_CONTROL = 'public, max-age=60';

export interface Representation {
  body: string;
  contentType: string;
  /** The newest public change the body reflects; null when there is none yet. */
  lastModified: Date | null;
  /** Computed from the body when absent. */
  etag?: string;
}

/** A strong ETag from the bytes themselves, so it changes exactly when the body does. */
export const etagOf = (body: string): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

const opaqueTag = (tag: string): string => tag.trim().replace(/^W\//, '');

/** RFC 9110 §5.6.7's obsolete forms, which recipients must still accept: RFC 850 and asctime (always GMT). */
const RFC_850_DATE = /^[A-Z][a-z]+day, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * The time of an HTTP-date, or NaN for anything else: Date.parse alone takes "2099" or
 * "2099-01-01" too, which a server must ignore rather than compare (RFC 9110 §13.1.3).
 */
function parseHttpDate(value: string): number {
  if (ASCTIME_DATE.test(value)) return Date.parse(`${value} GMT`);
  if (RFC_850_DATE.test(value)) return Date.parse(value);
  const time = Date.parse(value);
  // IMF-fixdate, the form every current client sends: exactly what toUTCString writes.
  return !Number.isNaN(time) && new Date(time).toUTCString() === value ? time : NaN;
}

/**
 * RFC 9110 §13.1: If-None-Match wins when present (weak comparison); otherwise If-Modified-Since
 * against Last-Modified, which has whole-second precision.
 */
export function isNotModified(headers: FastifyRequest['headers'], etag: string, lastModified: Date | null): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const tags = (Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch).split(',');
    return tags.some((tag) => tag.trim() === '*' || opaqueTag(tag) === opaqueTag(etag));
  }
  const ifModifiedSince = headers['if-modified-since'];
  if (ifModifiedSince === undefined || lastModified === null) return false;
  const since = parseHttpDate(ifModifiedSince);
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/** Answers 200 with the representation and its validators, or 304 when the client's copy is current. */
export function sendWithValidators(request: FastifyRequest, reply: FastifyReply, representation: Representation): void {
  const { body, contentType, lastModified } = representation;
  const etag = representation.etag ?? etagOf(body);
  // Vary: a shared cache must not answer a read that waits for its own write (X-Min-Position) with an older copy.
  reply.header('etag', etag).header('cache-control', PUBLIC_CACHE_CONTROL);
  addVary(reply, 'X-Min-Position');
  if (lastModified !== null) reply.header('last-modified', lastModified.toUTCString());
  if (isNotModified(request.headers, etag, lastModified)) {
    // To a HEAD, Fastify states the length (and, unless told, a text type) of what is sent, which it
    // then drops: the body with its type, so the 304 states the 200's (RFC 9110 §8.6), not an empty one's.
    if (request.method === 'HEAD') reply.header('content-type', contentType);
    reply.status(304).send(request.method === 'HEAD' ? body : undefined);
    return;
  }
  reply.status(200).header('content-type', contentType).send(body);
}

/** Adds to Vary, keeping what is there (CORS adds Origin for a list of origins). */
export function addVary(reply: FastifyReply, header: string): void {
  const current = reply.getHeader('vary');
  reply.header('vary', current ? `${String(current)}, ${header}` : header);
}
