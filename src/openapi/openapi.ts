import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '#libs/http';
import { toOpenApi31 } from './openapi-3-1.js';

export const OPENAPI_UI_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs/openapi.json';

/**
 * `GET /docs` (Swagger UI, its assets served by @fastify/static) and `GET /docs/openapi.json` (OpenAPI 3.1).
 * The document is built from the controllers' decorators on the first request, so start-up does
 * not pay for it. Both are plain Fastify routes: public, outside the JWT guard.
 */
export async function setupOpenApi(app: NestFastifyApplication): Promise<void> {
  const config = new DocumentBuilder()
    .setTitle('Newsroom')
    .setDescription(
      'Event-sourced newsroom workflow: staff endpoints (bearer JWT), the public feed and reactions, and operations. ' +
        'Errors are RFC 9457 `application/problem+json`. Every event is also published to Kafka (see asyncapi.yaml).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'HS256 JWT with sub, name and roles' })
    .addGlobalResponse({
      status: 503,
      description: 'The database cannot be reached. A write answered so may or may not have been saved',
      headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'string' } } },
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetailsSchema' } } },
    })
    // Every answer carries X-Request-Id (see createHttpApp): the caller's, when it sent a usable
    // one, so logs line up across services.
    .addGlobalParameters({
      name: 'X-Request-Id',
      in: 'header',
      required: false,
      description: 'Your request id (1-128 letters, digits, - _ . :), echoed in the X-Request-Id answer header and written in the logs; without one, the service makes a UUID',
      schema: { type: 'string' },
    })
    .build();
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => toOpenApi31(SwaggerModule.createDocument(app, config)), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    ui: await canServeUi(),
  });
}

/**
 * SwaggerModule ends the process when @fastify/static cannot be loaded. Node loads it, but jest
 * on Node 20 cannot (it requires an ES-module-only dependency), so in-process test apps go without
 * the UI rather than die; the document is served either way.
 */
async function canServeUi(): Promise<boolean> {
  try {
    await import('@fastify/static');
    return true;
  } catch (error) {
    new Logger('OpenAPI').warn(`Swagger UI off (@fastify/static cannot be loaded: ${(error as Error).message.split('\n')[0]}); /docs/openapi.json is served`);
    return false;
  }
}
