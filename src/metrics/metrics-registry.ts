import { Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { createMetricsRegistry } from '#libs/observability';

/** This application's Prometheus registry: default process metrics plus everything the modules register. */
@Injectable()
export class MetricsRegistry {
  readonly registry: Registry = createMetricsRegistry();

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
