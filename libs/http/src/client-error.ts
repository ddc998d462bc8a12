import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, ProblemError, problemType, withErrorsListed } from './problem-details.js';

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refuses some requests before Fastify or Nest
 * sees them (a raw space or non-ASCII byte in the URL, an unknown method, conflicting lengths,
 * headers over the limit). Fastify's own answer is its private JSON shape; this one is the
 * contract's problem+json. The connection is closed afterwards, as Node and Fastify do: the
 * parser cannot tell where the next request would start.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, title] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request-timeout', 'Request timeout']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers-too-large', 'Request headers too large']
        : [400, 'malformed-http', 'Malformed HTTP request'];
  const body = JSON.stringify(
    withErrorsListed(
      { type: problemType(code), title, status, detail: `The request could not be read as HTTP/1.1 (${error.code ?? 'parse error'}).` },
      'request',
    ),
  );
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nCache-Control: no-store\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * The HTTP server's `checkExpectation`: a request whose `Expect` is not `100-continue`, which is
 * all the service meets. Without this listener Node answers a bare 417; the contract's answer to
 * any refusal is problem+json.
 */
export function answerUnmetExpectation(request: IncomingMessage, response: ServerResponse): void {
  const body = JSON.stringify(new ProblemError(417, 'expectation-failed', 'Expectation failed', 'The service meets no Expect but 100-continue.').toProblem());
  response.writeHead(417, { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
