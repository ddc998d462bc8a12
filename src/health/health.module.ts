import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { KafkaProbe } from './kafka-probe.js';
import { ProjectionLag } from './projection-lag.js';
import { Readiness } from './readiness.js';
import { RelayStatus } from './relay-status.js';

/** `GET /health` and `GET /health/ready`, and the lag measurements the metrics reuse. */
@Module({
  // Readiness logs its own changes of state; terminus would log every failed probe.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [Readiness, KafkaProbe, ProjectionLag, RelayStatus],
  exports: [Readiness, ProjectionLag, RelayStatus],
})
export class HealthModule {}
