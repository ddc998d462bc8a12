import FindMyWay from 'find-my-way';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Which methods the service answers on a path, from the routes as they are registered: a request
 * whose path exists under other methods gets 405 with `Allow` (RFC 9110 §15.5.6), not 404.
 */
class RouteMethods {
  private readonly router = FindMyWay();
  private readonly methods = new Set<string>();
  private readonly registered = new Set<string>();

  add(method: string, url: string): void {
    // A catch-all (the CORS preflight route, `OPTIONS *`) says nothing about which paths exist.
    if (url === '*' || url === '/*' || this.registered.has(`${method} ${url}`)) return;
    this.registered.add(`${method} ${url}`);
    this.methods.add(method);
    this.router.on(method as never, url, () => undefined);
  }

  allowedOn(path: string): string[] {
    return [...this.methods].filter((method) => servesPath(this.router.find(method as never, path))).sort();
  }
}

/**
 * A route serves a path when it matches with every named parameter given: `/articles/` is no
 * `/articles/:id`. (A wildcard may be empty: `/docs/*` serves `/docs/`.)
 */
const servesPath = (match: { params: Record<string, string | undefined> } | null): boolean =>
  match !== null && Object.entries(match.params).every(([name, value]) => name === '*' || (value !== undefined && value !== ''));

const tables = new WeakMap<FastifyInstance, RouteMethods>();

/** Records every route from now on: call before the application registers its routes. */
export function recordRouteMethods(fastify: FastifyInstance): void {
  const table = new RouteMethods();
  tables.set(fastify, table);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) table.add(method, route.url);
  });
}

/**
 * The methods the path of a request that matched no route is answered under; empty when none, and
 * when its own method is among them: Fastify's router refused the path itself (an empty `:id`, a
 * path under a wildcard it does not serve), so it is unknown (404), not asked the wrong way.
 */
export function allowedMethodsOf(request: FastifyRequest): string[] {
  if (request.routeOptions?.url !== undefined) return [];
  const path = request.url.split('?', 1)[0];
  const allowed = tables.get(request.server)?.allowedOn(path) ?? [];
  return allowed.includes(request.method) ? [] : allowed;
}
