export * from './projection.js';
export { CreateProjectionRunnerTables1764230200000 } from './migrations/1764230200000-create-projection-runner-tables.js';
