import { CreateEventStore1764230000000 } from '#libs/event-store';

/** Every schema change, in order. Schema comes from migrations only (no synchronize). */
export const MIGRATIONS = [CreateEventStore1764230000000];
