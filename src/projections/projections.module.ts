import { Global, Module } from '@nestjs/common';
import { MinPositionInterceptor } from './min-position.interceptor.js';
import { ProjectionProgress } from './projection-progress.js';

/** What read endpoints need from the projections: read-your-writes waiting. */
@Global()
@Module({
  providers: [ProjectionProgress, MinPositionInterceptor],
  exports: [ProjectionProgress, MinPositionInterceptor],
})
export class ProjectionsModule {}
