import type { FastifyReply } from 'fastify';

/** RFC 9457 problem details, the body of every error answer. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  /** Always given: the contract names it with type, title and status. */
  detail: string;
  instance?: string;
  /** For 400: each invalid field and what is wrong with it. */
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface FieldError {
  field: string;
  message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const PROBLEM_TYPE_BASE = 'https://newsroom.dev/problems/';

export const problemType = (code: string): string => PROBLEM_TYPE_BASE + code;

/** An error that knows its problem details; anything can throw it, the filter renders it. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }

  toProblem(instance?: string): ProblemDetails {
    return {
      type: problemType(this.code),
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

/**
 * A 400 that names no field (a body that is not JSON, a malformed URL) still lists `errors`, as the
 * contract says every 400 does: one entry for the part of the request at fault.
 */
export function withErrorsListed(problem: ProblemDetails, part: 'body' | 'url' | 'request'): ProblemDetails {
  if (problem.status !== 400 || problem.errors !== undefined) return problem;
  return { ...problem, errors: [{ field: part, message: problem.detail ?? problem.title }] };
}

/** Enough to correct a request; a body of thousands of unknown fields gets no answer larger than itself. */
export const MAX_LISTED_FIELD_ERRORS = 100;

export class ValidationProblem extends ProblemError {
  /** The problems the answer lists: the first MAX_LISTED_FIELD_ERRORS of `found`. */
  readonly errors: FieldError[];

  constructor(
    /** Every problem found (to merge with others before answering). */
    readonly found: readonly FieldError[],
    detail = 'The request has invalid fields.',
  ) {
    const listed = found.slice(0, MAX_LISTED_FIELD_ERRORS);
    const more = found.length - listed.length;
    super(400, 'validation-failed', 'Invalid input', more > 0 ? `${detail} ${found.length} problems; the first ${listed.length} are listed.` : detail, { errors: listed });
    this.errors = listed;
  }
}

export class PreconditionFailedProblem extends ProblemError {
  constructor(detail: string, currentVersion?: number) {
    super(412, 'version-mismatch', 'Version mismatch', detail, currentVersion === undefined ? {} : { currentVersion });
  }
}

/** Seconds a client waits before trying again after a 503 from the database side. */
const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/**
 * 503 `service-unavailable`: the database could not answer. The outcome of a write answered so is
 * unknown, which the client is told.
 */
export function serviceUnavailable(reason: string): ProblemError {
  return new ProblemError(
    503,
    'service-unavailable',
    'Service unavailable',
    `${reason}; try again shortly. A write answered this way may or may not have been saved: ` +
      'read it back before repeating it, or repeat it with If-Match.',
    {},
    { 'retry-after': String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS) },
  );
}

/**
 * Sends a problem the way every error answer goes out: problem+json, and no-store, since a cache
 * must not keep an error for a URL that may answer next time (a story not yet published, a
 * database back up).
 */
export function sendProblem(reply: FastifyReply, problem: ProblemDetails, headers: Record<string, string> = {}): FastifyReply {
  return reply.status(problem.status).headers({ ...headers, 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' }).send(problem);
}
