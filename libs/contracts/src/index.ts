export * from './article-events.js';
export * from './reaction-events.js';
export * from './staff.js';
export * from './schemas/index.js';
