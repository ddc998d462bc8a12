import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Clock } from '../common/clock.js';
import { ProjectionWorkers } from '../projections/projection-workers.js';
import { kafkaClientProvider } from '../relay/kafka-client.provider.js';
import { RelayWorker } from '../relay/relay-worker.js';
import { PublicationScheduler } from '../scheduler/publication-scheduler.js';

/** Background work: the relay to Kafka, the projections and the scheduler. */
@Module({
  imports: [CqrsModule],
  providers: [Clock, kafkaClientProvider, RelayWorker, ProjectionWorkers, PublicationScheduler],
  exports: [RelayWorker, ProjectionWorkers, PublicationScheduler],
})
export class WorkersModule {}
