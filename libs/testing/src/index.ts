export * from './free-port.js';
export * from './kafka-broker.js';
export * from './postgres-server.js';
export * from './process-reaper.js';
export * from './test-database.js';
export * from './decider-specification.js';
export * from './generic-plan.js';
export * from './switchable-bootstrap.js';
