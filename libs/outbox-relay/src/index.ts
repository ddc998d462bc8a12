export * from './outbox-relay.js';
export { CreateRelayCheckpoints1764230100000 } from './migrations/1764230100000-create-relay-checkpoints.js';
