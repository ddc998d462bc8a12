import type { Projection } from '#libs/projections';

/** Every projection the workers keep up to date; each feature adds its own here. */
export const PROJECTIONS: readonly Projection[] = [];
