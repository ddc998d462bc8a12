import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem, serviceUnavailable } from './problem-details.js';

const deadlines = new WeakMap<FastifyRequest['raw'], NodeJS.Timeout>();

/**
 * A request still unanswered after `deadlineMs` answers 503. A database that stalls (a server
 * frozen, a network that drops packets, a lock held) leaves a query in flight waiting with no end,
 * and a request with it. pg's own query timeout is no cure: it drops a transaction's ROLLBACK
 * before sending it, and the connection goes back to the pool still inside that transaction. So
 * the work is left to finish or fail on its own connection, and only the answer stops waiting
 * (what the handler sends later is dropped): like any 503 from the database, a write answered so
 * may or may not have been saved.
 *
 * Fastify hooks, one timer per request: a Nest interceptor would do the same, but any global
 * interceptor puts every route through rxjs, which cost a third of the rate of `GET /health`.
 */
export function installRequestDeadline(fastify: FastifyInstance, deadlineMs: number): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    deadlines.set(request.raw, setTimeout(() => answerDeadlinePassed(request, reply, deadlineMs), deadlineMs).unref());
    done();
  });
  const clear = (request: FastifyRequest, _reply: unknown, done: () => void) => {
    clearRequestDeadline(request);
    done();
  };
  fastify.addHook('onResponse', clear);
  fastify.addHook('onRequestAbort', (request, done) => clear(request, undefined, done));
}

/** For a route that may rightly take long: a rebuild the caller asked to wait for. */
export function clearRequestDeadline(request: FastifyRequest): void {
  clearTimeout(deadlines.get(request.raw));
  deadlines.delete(request.raw);
}

function answerDeadlinePassed(request: FastifyRequest, reply: FastifyReply, deadlineMs: number): void {
  deadlines.delete(request.raw);
  // (The request stream ends once its body is read: whether the client is still there is the response's to say.)
  if (reply.sent || reply.raw.destroyed) return;
  const problem = serviceUnavailable(`The request did not finish within ${deadlineMs / 1000} s (the database may be stalled)`);
  request.log.warn({ msg: 'request deadline passed: answered 503, the work goes on', deadlineMs });
  // The handler's answer, when it comes, is dropped: Fastify's warning about it ("did you forget
  // to return reply?", with a stack) would only mislead, after the line above.
  reply.log = reply.log.child({}, { level: 'error' });
  void sendProblem(reply, problem.toProblem(request.url), problem.headers);
}
