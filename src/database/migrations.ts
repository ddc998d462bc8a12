import { CreateEventStore1764230000000 } from '#libs/event-store';
import { CreateProjectionRunnerTables1764230200000 } from '#libs/projections';

/** Every schema change. Schema comes from migrations only (no synchronize). */
export const MIGRATIONS = [
  CreateEventStore1764230000000,
  CreateProjectionRunnerTables1764230200000,
  // Read models (each feature's own migrations):
];
