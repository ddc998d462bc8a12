import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, isDataException } from '#libs/event-store';
import { allowedMethodsOf } from './allowed-methods.js';
import { ProblemError, problemType, sendProblem, serviceUnavailable, withErrorsListed, type ProblemDetails } from './problem-details.js';

const CODE_BY_STATUS: Record<number, [code: string, title: string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthorized', 'Authentication required'],
  403: ['forbidden', 'Not allowed'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  406: ['not-acceptable', 'Not acceptable'],
  409: ['conflict', 'Conflict'],
  410: ['gone', 'Gone'],
  412: ['precondition-failed', 'Precondition failed'],
  413: ['payload-too-large', 'Request body too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  429: ['rate-limited', 'Too many requests'],
};

// Fastify's own request errors (body parsing, limits) arrive here before any controller runs.
const FASTIFY_ERRORS: Record<string, [status: number, code: string, title: string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed-json', 'Malformed JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed-json', 'Malformed JSON'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload-too-large', 'Request body too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported-media-type', 'Unsupported media type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad-request', 'Bad request'],
};

const INVALID_VALUE = 'invalid-value';

/** 400s about the body as a whole, not one of its fields. */
const BODY_PROBLEMS = new Set(['malformed-json', 'too-deeply-nested'].map(problemType));

/** An error from the domain that carries its own HTTP status and stable code (duck-typed). */
interface StatusCodedError {
  status: number;
  code: string;
  message: string;
  title?: string;
  details?: Record<string, unknown>;
  errors?: { field: string; message: string }[];
}

function isStatusCodedError(error: unknown): error is StatusCodedError {
  if (!(error instanceof Error)) return false;
  const candidate = error as Error & Partial<StatusCodedError>;
  return (
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500 &&
    typeof candidate.code === 'string'
  );
}

/** Renders every error as RFC 9457 problem+json; unexpected ones become a logged 500. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<FastifyRequest>();
    const reply = context.getResponse<FastifyReply>();
    const answer = this.methodNotAllowed(request) ?? this.toProblem(exception, request.url);
    const problem = withErrorsListed(answer.problem, BODY_PROBLEMS.has(answer.problem.type) ? 'body' : 'request');
    const headers = answer.headers;
    if (problem.type === problemType(INVALID_VALUE)) {
      // A 400 that validation should have given: worth a line, so the gap gets closed.
      this.logger.warn({ msg: 'database refused a value from the request', reason: String((exception as Error)?.message ?? exception), reqId: request.id, url: request.url });
    } else if (problem.status === HttpStatus.SERVICE_UNAVAILABLE) {
      // An outage, not a bug: one line per request, no stack.
      this.logger.warn({ msg: 'database unavailable', reason: String((exception as Error)?.message ?? exception), reqId: request.id, url: request.url });
    } else if (problem.status >= 500) {
      this.logger.error({ msg: 'request failed', err: exception, reqId: request.id, url: request.url });
    }
    sendProblem(reply, problem, headers);
  }

  /** A path the service answers, asked with another method: 405 with the methods it takes. */
  private methodNotAllowed(request: FastifyRequest): { problem: ProblemDetails; headers: Record<string, string> } | undefined {
    const allowed = allowedMethodsOf(request);
    if (allowed.length === 0) return undefined;
    const problem = new ProblemError(405, 'method-not-allowed', 'Method not allowed', `${request.method} is not allowed here; allowed: ${allowed.join(', ')}.`);
    return { problem: problem.toProblem(request.url), headers: { allow: allowed.join(', ') } };
  }

  private toProblem(exception: unknown, instance: string): { problem: ProblemDetails; headers: Record<string, string> } {
    if (exception instanceof ProblemError) {
      return { problem: exception.toProblem(instance), headers: exception.headers };
    }
    if (isStatusCodedError(exception)) {
      const [, title] = CODE_BY_STATUS[exception.status] ?? ['', 'Request refused'];
      return {
        problem: {
          type: problemType(exception.code),
          title: exception.title ?? title,
          status: exception.status,
          detail: exception.message,
          instance,
          ...(exception.errors ? { errors: exception.errors } : {}),
          ...(exception.details ?? {}),
        },
        headers: {},
      };
    }
    // Nest wraps Fastify's request errors in an HttpException; the cause says what went wrong.
    const fastifyError = (exception instanceof HttpException ? exception.cause : exception) as
      | { code?: string; statusCode?: number; message?: string }
      | undefined;
    const known = fastifyError?.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
    if (known) {
      const [status, code, title] = known;
      return { problem: { type: problemType(code), title, status, detail: fastifyError!.message ?? title, instance }, headers: {} };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const [code, title] = CODE_BY_STATUS[status] ?? ['http-error', 'Request failed'];
      const response = exception.getResponse();
      const detail = typeof response === 'string' ? response : exception.message;
      const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer' } : {};
      return { problem: { type: problemType(code), title, status, detail, instance }, headers };
    }
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      const status = fastifyError.statusCode;
      const [code, title] = CODE_BY_STATUS[status] ?? ['bad-request', 'Bad request'];
      return { problem: { type: problemType(code), title, status, detail: fastifyError.message ?? title, instance }, headers: {} };
    }
    if (isDatabaseUnavailable(exception)) {
      const unavailable = serviceUnavailable('The database cannot be reached');
      return { problem: unavailable.toProblem(instance), headers: unavailable.headers };
    }
    if (isDataException(exception)) {
      return {
        problem: {
          type: problemType(INVALID_VALUE),
          title: 'Invalid value',
          status: HttpStatus.BAD_REQUEST,
          detail: 'A value in the request is out of range or not valid for its type.',
          instance,
        },
        headers: {},
      };
    }
    return {
      problem: {
        type: problemType('internal-error'),
        title: 'Internal server error',
        status: HttpStatus.INTERNAL_SERVER_ERROR,
        detail: 'The server failed to handle the request; it has been logged.',
        instance,
      },
      headers: {},
    };
  }
}
