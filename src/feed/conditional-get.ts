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
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/** Answers 200 with the representation and its validators, or 304 when the client's copy is current. */
export function sendWithValidators(request: FastifyRequest, reply: FastifyReply, representation: Representation): void {
  const { body, contentType, lastModified } = representation;
  const etag = representation.etag ?? etagOf(body);
  reply.header('etag', etag).header('cache-control', PUBLIC_CACHE_CONTROL);
  if (lastModified !== null) reply.header('last-modified', lastModified.toUTCString());
  if (isNotModified(request.headers, etag, lastModified)) {
    reply.status(304).send();
    return;
  }
  reply.status(200).header('content-type', contentType).send(body);
}
