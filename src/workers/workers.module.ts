import { Module } from '@nestjs/common';

/** Background work: the relay to Kafka, projections and the scheduler. */
@Module({})
export class WorkersModule {}
