export * from './problem-details.js';
export * from './problem-details.filter.js';
export * from './validation.js';
export * from './headers.js';
export * from './auth/auth.decorators.js';
export * from './auth/jwt-auth.guard.js';
export * from './validators.js';
export * from './etag.interceptor.js';
