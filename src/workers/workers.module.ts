import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Clock } from '../common/clock.js';
import { HealthModule } from '../health/health.module.js';
import { ProjectionWorkers } from '../projections/projection-workers.js';
import { kafkaClientProvider } from '../relay/kafka-client.provider.js';
import { RelayWorker } from '../relay/relay-worker.js';
import { PublicationScheduler } from '../scheduler/publication-scheduler.js';
import { WorkerHttpServer } from './worker-http-server.js';

/** Background work: the relay to Kafka, the projections and the scheduler; and a worker process's health port. */
@Module({
  imports: [CqrsModule, HealthModule],
  providers: [Clock, kafkaClientProvider, RelayWorker, ProjectionWorkers, PublicationScheduler, WorkerHttpServer],
  exports: [RelayWorker, ProjectionWorkers, PublicationScheduler, WorkerHttpServer],
})
export class WorkersModule {}
