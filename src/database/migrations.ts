import { EVENT_STORE_MIGRATIONS } from '#libs/event-store';
import { CreateRelayCheckpoints1764230100000 } from '#libs/outbox-relay';
import { CreateProjectionRunnerTables1764230200000 } from '#libs/projections';
import { PublishedSlugsUnique1764232400000 } from '../articles/migrations/1764232400000-published-slugs-unique.js';
import { CreateEditorBoard1764231000000 } from '../board/migrations/1764231000000-create-editor-board.js';
import { CreateFactCheckQueue1764231100000 } from '../fact-checks/migrations/1764231100000-create-fact-check-queue.js';
import { CreatePublicFeed1764231200000 } from '../feed/migrations/1764231200000-create-public-feed.js';
import { PublicFeedDraftsWithoutText1764232100000 } from '../feed/migrations/1764232100000-public-feed-drafts-without-text.js';
import { PublicFeedListingOrder1764232200000 } from '../feed/migrations/1764232200000-public-feed-listing-order.js';
import { PublicFeedUnlistedIndex1764232300000 } from '../feed/migrations/1764232300000-public-feed-unlisted-index.js';
import { CreateProjectionLagCursors1764232000000 } from '../health/migrations/1764232000000-create-projection-lag-cursors.js';
import { CreateReactionCounts1764231500000 } from '../reactions/migrations/1764231500000-create-reaction-counts.js';
import { CreateScheduledPublications1764230300000 } from '../scheduler/migrations/1764230300000-create-scheduled-publications.js';

/** Every schema change. Schema comes from migrations only (no synchronize). */
export const MIGRATIONS = [
  ...EVENT_STORE_MIGRATIONS,
  CreateRelayCheckpoints1764230100000,
  CreateProjectionRunnerTables1764230200000,
  CreateScheduledPublications1764230300000,
  // Read models (each feature's own migrations):
  CreateEditorBoard1764231000000,
  CreateFactCheckQueue1764231100000,
  CreatePublicFeed1764231200000,
  CreateReactionCounts1764231500000,
  CreateProjectionLagCursors1764232000000,
  PublicFeedDraftsWithoutText1764232100000,
  PublicFeedListingOrder1764232200000,
  PublicFeedUnlistedIndex1764232300000,
  PublishedSlugsUnique1764232400000,
];
