import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { INestApplicationContext } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { createLogger, PinoLoggerService } from '#libs/observability';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The HTTP application (and, with `workers`, the background workers in the same process). */
export async function createHttpApp(config: AppConfig, options: { workers: boolean }): Promise<NestFastifyApplication> {
  const logger = createLogger(config.logLevel, { role: options.workers ? 'all' : 'api' });
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.http.bodyLimitBytes,
    // Behind a proxy the client address (per-address rate limits) comes from X-Forwarded-For.
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    // Take a caller's request id when it looks like one, so logs line up across services.
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : uuidv7();
    },
  });
  adapter.getInstance().addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, workers: options.workers }), adapter, {
    logger: new PinoLoggerService(logger),
    bufferLogs: false,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  return app;
}

/** Workers only: no HTTP server. */
export async function createWorkerApp(config: AppConfig): Promise<INestApplicationContext> {
  const logger = createLogger(config.logLevel, { role: 'worker' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, workers: true }), {
    logger: new PinoLoggerService(logger),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  return app;
}
