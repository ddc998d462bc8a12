import { createServer, type Server, type ServerResponse } from 'node:http';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE, ProblemError } from '#libs/http';
import { MetricsRegistry } from '../metrics/metrics-registry.js';
import { Readiness } from '../health/readiness.js';

/**
 * A worker process has no HTTP API, but orchestrators still probe it and Prometheus still scrapes
 * it: with WORKER_HTTP_PORT set it answers `GET /health`, `GET /health/ready` and `GET /metrics`
 * (the same answers as the API's) on that port, and nothing else.
 */
@Injectable()
export class WorkerHttpServer implements OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHttpServer.name);
  private server?: Server;

  constructor(
    private readonly readiness: Readiness,
    private readonly metrics: MetricsRegistry,
  ) {}

  async listen(port: number, host: string): Promise<number> {
    const server = createServer((request, response) => {
      this.answer(request.method ?? 'GET', (request.url ?? '/').split('?')[0], response).catch((error: unknown) => {
        this.logger.error({ msg: 'worker health request failed', err: error });
        if (!response.headersSent) sendProblem(response, new ProblemError(500, 'internal-error', 'Internal server error', 'The probe failed; it has been logged.'));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const bound = (server.address() as { port: number }).port;
    this.logger.log(`health and metrics on http://${host}:${bound}`);
    return bound;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(method: string, path: string, response: ServerResponse): Promise<void> {
    if (!WORKER_PATHS.has(path)) {
      return sendProblem(response, new ProblemError(404, 'not-found', 'Not found', 'A worker answers only /health, /health/ready and /metrics.'), path);
    }
    if (method !== 'GET' && method !== 'HEAD') {
      return sendProblem(response, new ProblemError(405, 'method-not-allowed', 'Method not allowed', 'GET or HEAD only.', {}, { allow: 'GET, HEAD' }), path);
    }
    // HEAD: Node's response sends the headers of what GET answers, and no body.
    if (path === '/health') return send(response, 200, 'application/json', JSON.stringify({ status: 'ok' }));
    if (path === '/health/ready') {
      const { httpStatus, result } = await this.readiness.check();
      return send(response, httpStatus, 'application/json', JSON.stringify(result));
    }
    return send(response, 200, this.metrics.contentType, await this.metrics.render());
  }
}

const WORKER_PATHS = new Set(['/health', '/health/ready', '/metrics']);

/** Errors as problem+json, as the API answers them. */
function sendProblem(response: ServerResponse, problem: ProblemError, path?: string): void {
  send(response, problem.status, PROBLEM_CONTENT_TYPE, JSON.stringify(problem.toProblem(path)), problem.headers);
}

function send(response: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  // Probes open a connection each time; keeping it would only delay a shutdown.
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', connection: 'close', ...headers });
  response.end(body);
}
