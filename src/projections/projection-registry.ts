import type { Projection } from '#libs/projections';
import { scheduledPublicationsProjection } from '../scheduler/scheduled-publications.projection.js';

/** Every projection the workers keep up to date; each feature adds its own here. */
export const PROJECTIONS: readonly Projection[] = [scheduledPublicationsProjection];
