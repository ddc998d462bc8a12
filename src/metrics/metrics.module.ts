import { Global, Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { EventMetrics } from './event-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics-registry.js';
import { OperationsMetrics } from './operations-metrics.js';

/** `GET /metrics`. Global so that the stream classes can count appends without importing it. */
@Global()
@Module({
  imports: [HealthModule],
  controllers: [MetricsController],
  providers: [MetricsRegistry, EventMetrics, OperationsMetrics],
  exports: [MetricsRegistry, EventMetrics],
})
export class MetricsModule {}
