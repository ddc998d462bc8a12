import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { drainOnShutdown } from './graceful-shutdown.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('drainOnShutdown', () => {
  let fastify: FastifyInstance;
  let closing: boolean;

  beforeEach(async () => {
    closing = false;
    fastify = Fastify();
    drainOnShutdown(fastify, () => closing);
    fastify.get('/health/ready', async () => ({ status: 'ok' }));
    // A request in flight when the shutdown begins.
    fastify.get('/slow', async () => {
      closing = true;
      return { done: true };
    });
    await fastify.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(() => fastify.close());

  // node:http rather than fetch: the answer's Connection header is what these tests look at.
  const get = (path: string) =>
    new Promise<Answer>((resolve, reject) => {
      const { port } = fastify.server.address() as AddressInfo;
      const sent = httpRequest({ host: '127.0.0.1', port, path, headers: { connection: 'keep-alive' } }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      });
      sent.on('error', reject).end();
    });

  it('lets requests through, keeping the connection, until the shutdown begins', async () => {
    const answer = await get('/health/ready');
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('keep-alive');
  });

  it('answers a new request 503 shutting-down as problem+json, closing the connection, once it has begun', async () => {
    closing = true;
    const answer = await get('/health/ready');
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json\b/);
    expect(answer.headers.connection).toBe('close');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body)).toMatchObject({ type: expect.stringMatching(/\/shutting-down$/), status: 503, instance: '/health/ready' });
  });

  it('closes the connection after a request that was in flight when the shutdown began', async () => {
    const answer = await get('/slow');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ done: true });
    expect(answer.headers.connection).toBe('close');
  });
});
