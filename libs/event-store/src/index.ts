export * from './event-store.js';
export * from './event-store.errors.js';
export * from './pg-client.js';
export * from './event-store.types.js';
import { CreateEventStore1764230000000 } from './migrations/1764230000000-create-event-store.js';
import { AddEventPayloadBytes1764232200000 } from './migrations/1764232200000-add-event-payload-bytes.js';

export { AddEventPayloadBytes1764232200000, CreateEventStore1764230000000 };
/** The event store's migrations, in order. */
export const EVENT_STORE_MIGRATIONS = [CreateEventStore1764230000000, AddEventPayloadBytes1764232200000];
export * from './database-errors.js';
