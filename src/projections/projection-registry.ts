import type { Projection } from '#libs/projections';
import { editorBoardProjection } from '../board/editor-board.projection.js';
import { factCheckQueueProjection } from '../fact-checks/fact-check-queue.projection.js';
import { publicFeedProjection } from '../feed/public-feed.projection.js';
import { reactionCountsProjection } from '../reactions/index.js';
import { scheduledPublicationsProjection } from '../scheduler/scheduled-publications.projection.js';

/** Every projection the workers keep up to date; each feature adds its own here. */
export const PROJECTIONS: readonly Projection[] = [
  scheduledPublicationsProjection,
  editorBoardProjection,
  factCheckQueueProjection,
  publicFeedProjection,
  reactionCountsProjection,
];
