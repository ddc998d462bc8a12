export * from './event-store.js';
export * from './event-store.errors.js';
export * from './pg-client.js';
export * from './event-store.types.js';
export { CreateEventStore1764230000000 } from './migrations/1764230000000-create-event-store.js';
