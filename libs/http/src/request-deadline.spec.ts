import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { installRequestDeadline } from './request-deadline.js';

/** A Fastify app whose route answers after `handlerMs`, its log lines kept. */
async function appAnsweringAfter(handlerMs: number, deadlineMs: number) {
  const lines: { level: number; msg?: string; err?: { code?: string } }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const app = Fastify({ loggerInstance: pino({ level: 'info' }, sink) as FastifyBaseLogger });
  installRequestDeadline(app, deadlineMs);
  let finished!: () => void;
  const handlerDone = new Promise<void>((resolve) => (finished = resolve));
  app.get('/slow', async (_request, reply) => {
    await new Promise((resolve) => setTimeout(resolve, handlerMs));
    void reply.send({ late: true });
    finished();
    return reply;
  });
  // Over a socket: light-my-request's inject needs an ES-module-only dependency jest on Node 20 cannot load.
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, lines, handlerDone, get: () => fetch(`${url}/slow`) };
}

describe('installRequestDeadline', () => {
  it('answers 503 problem+json at the deadline, and drops the late answer without a misleading warning', async () => {
    const { app, lines, handlerDone, get } = await appAnsweringAfter(300, 50);
    try {
      const answer = await get();
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.headers.get('retry-after')).toBe('2');
      expect(await answer.json()).toMatchObject({ status: 503, type: expect.stringContaining('service-unavailable') });
      await handlerDone;
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines.filter((line) => line.msg?.startsWith('request deadline passed'))).toHaveLength(1);
      expect(lines.filter((line) => line.err?.code === 'FST_ERR_REP_ALREADY_SENT' || /already sent/.test(line.msg ?? ''))).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('leaves a request answered in time alone', async () => {
    const { app, lines, get } = await appAnsweringAfter(10, 500);
    try {
      const answer = await get();
      expect({ status: answer.status, body: await answer.json() }).toEqual({ status: 200, body: { late: true } });
      expect(lines.filter((line) => line.level >= 40)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
