export { JSON_SCHEMA_DIALECT, UUID_PATTERN, isUuid, type JSONSchema, type JSONSchemaTypeName } from './json-schema.js';
export { ARTICLE_EVENT_SCHEMAS } from './article-event.schemas.js';
export { REACTION_EVENT_SCHEMAS } from './reaction-event.schemas.js';
export * from './event-catalog.js';
export * from './cloud-event-headers.schema.js';
export { createContractValidator, isContractSourceUrl, type ContractValidator } from './contract-validator.js';
