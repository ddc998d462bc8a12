import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FactCheckQueueArticleEntity, FactCheckQueueClaimEntity } from './fact-check-queue.entity.js';
import { FactChecksController } from './fact-checks.controller.js';
import { GetFactCheckQueueHandler } from './queries/get-fact-check-queue/get-fact-check-queue.handler.js';

@Module({
  imports: [CqrsModule, TypeOrmModule.forFeature([FactCheckQueueArticleEntity, FactCheckQueueClaimEntity])],
  controllers: [FactChecksController],
  providers: [GetFactCheckQueueHandler],
})
export class FactChecksModule {}
