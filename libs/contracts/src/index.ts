export * from './article-events.js';
export * from './staff.js';
