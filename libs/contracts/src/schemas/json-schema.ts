/**
 * The part of JSON Schema the event contracts use. Every keyword here means the same in draft
 * 2020-12 (what the schemas declare) and in draft-07 (what AsyncAPI 3 schemas are built on), so
 * the same objects serve both. A type alias rather than an interface, so that it fits validators'
 * index-signature types (ajv's SchemaObject).
 */
export type JSONSchema = {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: JSONSchemaTypeName | readonly JSONSchemaTypeName[];
  properties?: Readonly<Record<string, JSONSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean;
  minProperties?: number;
  items?: JSONSchema;
  minItems?: number;
  uniqueItems?: boolean;
  enum?: readonly (string | number | null)[];
  const?: string | number | boolean | null;
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: readonly JSONSchema[];
  not?: JSONSchema;
  examples?: readonly unknown[];
};

export type JSONSchemaTypeName = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Text that is not blank: the domain refuses empty and whitespace-only text. */
export const nonBlankText = (description?: string): JSONSchema => ({
  type: 'string',
  minLength: 1,
  pattern: '\\S',
  ...(description ? { description } : {}),
});

export const uuid = (description: string): JSONSchema => ({ type: 'string', format: 'uuid', description });

export const timestamp = (description: string): JSONSchema => ({ type: 'string', format: 'date-time', description });

/** Lowercase UUID text, as a pattern for ids embedded in longer strings (stream ids). */
export const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const UUID = new RegExp(`^${UUID_PATTERN}$`, 'i');

/** Whether `value` is a UUID, in either letter case (ids as they come in a URL). */
export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * An event's data schema: an object with exactly these properties, all of them required (a field
 * that may be empty is typed `[..., 'null']` and still required: subscribers never guess).
 */
export function eventDataSchema(
  title: string,
  description: string,
  properties: Record<string, JSONSchema>,
  extra: Pick<JSONSchema, 'anyOf'> = {},
): JSONSchema {
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title,
    description,
    type: 'object',
    required: Object.keys(properties),
    additionalProperties: false,
    properties,
    ...extra,
  };
}
