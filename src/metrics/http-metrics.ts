import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { instrumentHttp } from '#libs/observability';
import { MetricsRegistry } from './metrics-registry.js';

/** Times every HTTP request into this app's registry; call before `listen`. */
export function installHttpMetrics(app: NestFastifyApplication): void {
  instrumentHttp(app.getHttpAdapter().getInstance(), app.get(MetricsRegistry).registry);
}
