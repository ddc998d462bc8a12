import { CreateEventStore1764230000000 } from '#libs/event-store';
import { CreateRelayCheckpoints1764230100000 } from '#libs/kafka';
import { CreateProjectionRunnerTables1764230200000 } from '#libs/projections';
import { CreateEditorBoard1764231000000 } from '../board/migrations/1764231000000-create-editor-board.js';
import { CreateFactCheckQueue1764231100000 } from '../fact-checks/migrations/1764231100000-create-fact-check-queue.js';
import { CreatePublicFeed1764231200000 } from '../feed/migrations/1764231200000-create-public-feed.js';
import { REACTION_MIGRATIONS } from '../reactions/migrations/reactions.migrations.js';
import { SCHEDULER_MIGRATIONS } from '../scheduler/scheduler.migrations.js';

/** Every schema change. Schema comes from migrations only (no synchronize). */
export const MIGRATIONS = [
  CreateEventStore1764230000000,
  CreateRelayCheckpoints1764230100000,
  CreateProjectionRunnerTables1764230200000,
  ...SCHEDULER_MIGRATIONS,
  // Read models (each feature's own migrations):
  CreateEditorBoard1764231000000,
  CreateFactCheckQueue1764231100000,
  CreatePublicFeed1764231200000,
  ...REACTION_MIGRATIONS,
];
