export * from './article-events.js';
