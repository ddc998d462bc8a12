import { CreateEventStore1764230000000 } from '#libs/event-store';
import { CreateProjectionRunnerTables1764230200000 } from '#libs/projections';
import { SCHEDULER_MIGRATIONS } from '../scheduler/scheduler.migrations.js';

/** Every schema change. Schema comes from migrations only (no synchronize). */
export const MIGRATIONS = [
  CreateEventStore1764230000000,
  CreateProjectionRunnerTables1764230200000,
  ...SCHEDULER_MIGRATIONS,
  // Read models (each feature's own migrations):
];
