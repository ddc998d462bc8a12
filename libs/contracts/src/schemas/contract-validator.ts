import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { SOURCE_URL_SCHEMA } from './article-event.schemas.js';
import { cloudEventHeadersSchema } from './cloud-event-headers.schema.js';
import { EVENT_SCHEMAS_BY_CE_TYPE, isNewsroomCeType, NEWSROOM_CE_TYPES, type NewsroomTopic } from './event-catalog.js';

/**
 * Checks messages against the contract's JSON Schemas with ajv (draft 2020-12, formats on): for
 * subscribers, the contract specs, and the API's own checks of values that go into events.
 */
export interface ContractValidator {
  /** What is wrong with a message value of this ce_type; empty when it is valid. */
  dataErrors(ceType: string, data: unknown): string[];
  /** What is wrong with a message's headers on this topic; empty when they are valid. */
  headerErrors(topic: NewsroomTopic, headers: Record<string, string>): string[];
}

// ajv-formats is CommonJS: under Node's ESM the default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

export function createContractValidator(): ContractValidator {
  // strict: a keyword ajv does not know, or one that cannot apply, is a mistake in the schema.
  const ajv = withFormats(new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }));
  const dataValidators = new Map<string, ValidateFunction>(
    NEWSROOM_CE_TYPES.map((ceType) => [ceType, ajv.compile(EVENT_SCHEMAS_BY_CE_TYPE[ceType])]),
  );
  const headerValidators: Record<NewsroomTopic, ValidateFunction> = {
    articles: ajv.compile(cloudEventHeadersSchema('articles')),
    reactions: ajv.compile(cloudEventHeadersSchema('reactions')),
  };
  return {
    dataErrors(ceType, data) {
      const validate = isNewsroomCeType(ceType) ? dataValidators.get(ceType) : undefined;
      if (!validate) return [`unknown ce_type "${ceType}"`];
      return validate(data) ? [] : describeErrors(validate.errors);
    },
    headerErrors(topic, headers) {
      const validate = headerValidators[topic];
      return validate(headers) ? [] : describeErrors(validate.errors);
    },
  };
}

let sourceUrlValidator: ValidateFunction | undefined;

/** Whether a verdict's source URL is one the FactChecked schema takes (so the API never records one it does not). */
export function isContractSourceUrl(value: unknown): boolean {
  sourceUrlValidator ??= withFormats(new Ajv2020({ strict: true })).compile(SOURCE_URL_SCHEMA);
  return sourceUrlValidator(value);
}

function withFormats(ajv: Ajv2020): Ajv2020 {
  addFormats(ajv);
  return ajv;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword}${describeParams(error)}`);
}

function describeParams(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return ` (${String(params.additionalProperty)})`;
  if (error.keyword === 'enum') return ` (${JSON.stringify(params.allowedValues)})`;
  return '';
}
