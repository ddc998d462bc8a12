import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * On shutdown Fastify stops accepting connections and waits for the open ones, but a keep-alive
 * connection whose request was in flight would stay open after its answer until the client or
 * the keep-alive timeout (72 s) closed it, holding the process up. So once closing has begun,
 * every answer says `Connection: close`: each connection ends with its last request.
 */
export function closeConnectionsWhenDrained(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    fastify.log.info({ msg: 'shutting down: no new connections; the requests in flight finish' });
    done();
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}
