import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { INestApplicationContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import {
  answerClientError,
  answerUnmetExpectation,
  decodeJsonBody,
  MAX_JSON_DEPTH,
  nestsDeeperThan,
  sendProblem,
  ProblemError,
  prototypeKeyProblem,
  recordRouteMethods,
  installRequestDeadline,
  withErrorsListed,
} from '#libs/http';
import { createLogger, PinoLoggerService } from '#libs/observability';
import { AppModule } from './app.module.js';
import { allowPublicCors } from './common/public-cors.js';
import { ConfigError, type AppConfig } from './config/app-config.js';
import { drainOnShutdown, ShutdownAwareFastifyAdapter } from './health/graceful-shutdown.js';
import { installHttpMetrics } from './metrics/http-metrics.js';
import { setupOpenApi } from './openapi/openapi.js';
import { REACTION_BODY_LIMIT_BYTES, REACTIONS_ROUTE } from './reactions/reactions.controller.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** main and worker print a ConfigError as its own lines: Nest's report of it (a JSON line with a stack) would only repeat it. */
class AppLogger extends PinoLoggerService {
  override error(message: unknown, ...params: unknown[]): void {
    if (message instanceof ConfigError && params.at(-1) === 'ExceptionHandler') return;
    super.error(message, ...params);
  }
}

/** The HTTP application (and, with `workers`, the background workers in the same process). */
export async function createHttpApp(config: AppConfig, options: { workers: boolean }): Promise<NestFastifyApplication> {
  const logger = createLogger(config.logLevel, { role: options.workers ? 'all' : 'api' });
  const adapter = new ShutdownAwareFastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.http.bodyLimitBytes,
    // Behind a proxy the client address (per-address rate limits) comes from X-Forwarded-For.
    trustProxy: config.trustProxy,
    // Take a caller's request id when it looks like one, so logs line up across services. (No
    // requestIdHeader: Fastify would take the header as it is and never ask genReqId.)
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Node's HTTP parser refuses some requests before Fastify does: answered as problem+json too.
    clientErrorHandler: answerClientError,
    // Fastify answers a few broken requests (a malformed URL) before any route or Nest filter.
    frameworkErrors: (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply) => {
      // A path segment longer than the router takes (100 characters) names no article or claim:
      // unknown, like any other malformed id.
      // Answered before any hook: the request id every answer carries is set here.
      void reply.header('x-request-id', request.id);
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        const notFound = new ProblemError(404, 'not-found', 'Not found', 'No resource has a path segment this long.');
        return void sendProblem(reply, notFound.toProblem(request.url));
      }
      const problem = new ProblemError(400, 'bad-request', 'Bad request', error.message);
      void sendProblem(reply, withErrorsListed(problem.toProblem(request.url), 'url'));
    },
  });
  // Before Nest registers the routes: a known path asked with another method answers 405, not 404.
  recordRouteMethods(adapter.getInstance());
  // Reactions take a body of a few bytes from anyone: their own limit (Fastify's per-route bodyLimit).
  adapter.getInstance().addHook('onRoute', (route) => {
    if (route.url === REACTIONS_ROUTE) route.bodyLimit = Math.min(REACTION_BODY_LIMIT_BYTES, config.http.bodyLimitBytes);
  });
  // New requests during a shutdown: 503 problem+json; the requests in flight finish.
  drainOnShutdown(adapter.getInstance(), () => adapter.closing);
  installRequestDeadline(adapter.getInstance(), config.http.requestTimeoutMs);
  adapter.getInstance().addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, workers: options.workers }), adapter, {
    logger: new AppLogger(logger),
    bufferLogs: false,
    abortOnError: false,
    // JSON only (below): Nest would also parse form bodies, which no endpoint takes.
    bodyParser: false,
  });
  acceptJsonBodiesOnly(app);
  // An Expect the service does not meet: problem+json rather than Node's bare 417.
  adapter.getInstance().server.on('checkExpectation', answerUnmetExpectation);
  allowPublicCors(app, config.publicCorsOrigins);
  installHttpMetrics(app);
  await setupOpenApi(app);
  app.enableShutdownHooks();
  return app;
}

/**
 * Every body the contract takes is JSON: any other media type is a 415 (Fastify's plain-text
 * parser goes too), and so is a compressed body (the service decodes none), or one in a charset
 * other than UTF-8; bytes that are not UTF-8 are a 400 (see decodeJsonBody). Many clients send
 * `Content-Type: application/json` with no body on a bodiless POST (submit, approve, publish): that
 * is no body, not malformed JSON. Any other body goes to Fastify's own JSON parser, so malformed
 * JSON stays a 400 and the body limit (413) still applies; a body nested deeper than
 * MAX_JSON_DEPTH is a 400 too (see json-depth.ts).
 */
function acceptJsonBodiesOnly(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  app.useBodyParser<RawServerDefault>('application/json', {}, (request, body, done) => {
    const coding = request.headers['content-encoding'];
    if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
      return done(new ProblemError(415, 'unsupported-content-encoding', 'Unsupported content encoding', `Content-Encoding "${coding}" is not accepted: send the body uncompressed.`), undefined);
    }
    if (body.length === 0) return done(null, undefined);
    let text: string;
    try {
      text = decodeJsonBody(request.headers['content-type'], body);
    } catch (problem) {
      return done(problem as Error, undefined);
    }
    parseJson(request, text, (error, parsed) => {
      if (error) return done(prototypeKeyProblem(text) ?? error, undefined);
      if (nestsDeeperThan(parsed, MAX_JSON_DEPTH)) {
        return done(new ProblemError(400, 'too-deeply-nested', 'Body nested too deeply', `The JSON body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`), undefined);
      }
      done(null, parsed);
    });
  });
}

/** Workers only: no HTTP server. */
export async function createWorkerApp(config: AppConfig): Promise<INestApplicationContext> {
  const logger = createLogger(config.logLevel, { role: 'worker' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, workers: true }), {
    logger: new AppLogger(logger),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  return app;
}
