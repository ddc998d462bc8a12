import type { FastifyCorsOptions } from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Where readers' browsers may call us from other sites' pages: the feeds, public articles and reactions. */
const PUBLIC_PATH = /^\/(feed(\.(json|rss|atom))?|public\/.*)$/;

/** How long a browser may reuse a preflight answer, in seconds (browsers cap it lower anyway). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the public endpoints only: a news site's pages (another origin) show the feed and a
 * reaction bar that posts with X-Reader-Id, which needs a preflight. Staff endpoints stay
 * same-origin: a browser gets no CORS answer from them.
 */
export function allowPublicCors(app: NestFastifyApplication, origins: '*' | string[]): void {
  if (origins !== '*' && origins.length === 0) return;
  const publicOptions: FastifyCorsOptions = {
    origin: origins,
    methods: ['GET', 'HEAD', 'POST', 'DELETE'],
    allowedHeaders: ['Content-Type', 'X-Reader-Id', 'X-Min-Position', 'X-Request-Id', 'If-None-Match', 'If-Modified-Since'],
    exposedHeaders: ['ETag', 'Retry-After', 'X-Request-Id', 'X-Min-Position-Reached'],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    // An OPTIONS request without Origin is no preflight, but still no reason for a 400.
    strictPreflight: false,
  };
  app.enableCors({
    delegator: (request, callback) => {
      callback(null, PUBLIC_PATH.test(decodedPath(request.url)) ? publicOptions : { origin: false });
    },
  });
}

/** The path as the router matches it (%66eed is /feed); a malformed escape matches no public path. */
function decodedPath(url: string): string {
  try {
    return decodeURIComponent(url.split('?', 1)[0]);
  } catch {
    return '';
  }
}
