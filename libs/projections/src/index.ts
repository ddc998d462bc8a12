export * from './projection.js';
export * from './projection-applier.js';
export * from './projected-event.js';
export * from './log-fed-projection.js';
export * from './projection-rebuilder.js';
export { CreateProjectionRunnerTables1764230200000 } from './migrations/1764230200000-create-projection-runner-tables.js';
