import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { ProblemError, sendProblem } from '#libs/http';

/**
 * The Fastify adapter, telling when the application begins to shut down: Nest calls beforeClose
 * first, before any shutdown hook of the modules and before the HTTP server stops listening.
 */
export class ShutdownAwareFastifyAdapter extends FastifyAdapter {
  closing = false;

  override beforeClose(): void {
    this.closing = true;
    super.beforeClose();
  }
}

/**
 * From the first moment of a shutdown, until the listener closes a moment later, a new request
 * gets a 503 `shutting-down` problem (readiness probes too, so a load balancer takes the process
 * out), while the requests in flight finish. (Nest's own `return503OnClosing` would answer these
 * with a body that is not problem+json.)
 *
 * Fastify waits for the open connections on close, but a keep-alive connection whose request was
 * in flight would stay open after its answer until the client or the keep-alive timeout (72 s)
 * closed it, holding the process up. So once closing has begun, every answer says
 * `Connection: close`: each connection ends with its last request.
 */
export function drainOnShutdown(fastify: FastifyInstance, isClosing: () => boolean): void {
  let logged = false;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!isClosing()) return done();
    if (!logged) {
      logged = true;
      fastify.log.info({ msg: 'shutting down: new requests get 503; the requests in flight finish' });
    }
    const problem = new ProblemError(503, 'shutting-down', 'Service unavailable',
      'This process is shutting down; send the request again (another process, or this one once restarted, answers it).');
    void sendProblem(reply, problem.toProblem(request.url));
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (isClosing()) reply.header('connection', 'close');
  });
}
