export * from './article-events.js';
export * from './article-event-facts.js';
export * from './reaction-events.js';
export * from './staff.js';
export * from './streams.js';
export * from './schemas/index.js';
