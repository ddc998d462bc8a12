import type { Projection } from '#libs/projections';
import { editorBoardProjection } from '../board/editor-board.projection.js';
import { factCheckQueueProjection } from '../fact-checks/fact-check-queue.projection.js';
import { publicFeedProjection } from '../feed/public-feed.projection.js';
import { reactionCountsProjection } from '../reactions/index.js';
import { scheduledPublicationsProjection } from '../scheduler/scheduled-publications.projection.js';

/**
 * Fed from the store's log even when Kafka feeds the others: the scheduler must see a schedule and
 * publish the story at its time while Kafka is down (a read model's lag shows only as lag, a
 * schedule's as a story published late).
 */
export const FED_FROM_THE_STORE: ReadonlySet<string> = new Set([scheduledPublicationsProjection.name]);

/** Every projection the workers keep up to date; each feature adds its own here. */
export const PROJECTIONS: readonly Projection[] = [
  scheduledPublicationsProjection,
  editorBoardProjection,
  factCheckQueueProjection,
  publicFeedProjection,
  reactionCountsProjection,
];
