import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { MinPositionInterceptor } from './min-position.interceptor.js';

export const READS_FROM = 'newsroom:reads-from';

/**
 * Marks a read endpoint as served from these projections: a request with `X-Min-Position`
 * waits (bounded) until they have applied that position. See MinPositionInterceptor.
 */
export const ReadsFrom = (...projections: string[]) =>
  applyDecorators(SetMetadata(READS_FROM, projections), UseInterceptors(MinPositionInterceptor));
