export * from './keyset-pagination.js';
export * from './upsert-rows.js';
export * from './query-params.js';
export * from './row-per-article.js';
