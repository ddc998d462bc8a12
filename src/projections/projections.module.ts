import { Global, Module } from '@nestjs/common';
import { AdminProjectionsController } from './admin-projections.controller.js';
import { MinPositionInterceptor } from './min-position.interceptor.js';
import { ProjectionProgress } from './projection-progress.js';
import { ProjectionRebuilds } from './projection-rebuilds.js';
import { ReadModelChanges } from './read-model-changes.js';

/** What the API needs from the projections: read-your-writes waiting, status, rebuilds and change news. */
@Global()
@Module({
  controllers: [AdminProjectionsController],
  providers: [ProjectionProgress, MinPositionInterceptor, ProjectionRebuilds, ReadModelChanges],
  exports: [ProjectionProgress, MinPositionInterceptor, ProjectionRebuilds, ReadModelChanges],
})
export class ProjectionsModule {}
