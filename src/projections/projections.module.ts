import { Global, Module } from '@nestjs/common';
import { AdminProjectionsController } from './admin-projections.controller.js';
import { MinPositionInterceptor } from './min-position.interceptor.js';
import { ProjectionProgress } from './projection-progress.js';
import { ProjectionRebuilds } from './projection-rebuilds.js';

/** What the API needs from the projections: read-your-writes waiting, status and rebuilds. */
@Global()
@Module({
  controllers: [AdminProjectionsController],
  providers: [ProjectionProgress, MinPositionInterceptor, ProjectionRebuilds],
  exports: [ProjectionProgress, MinPositionInterceptor, ProjectionRebuilds],
})
export class ProjectionsModule {}
