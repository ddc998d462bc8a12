/**
 * The document @nestjs/swagger builds (OpenAPI 3.0 wording) as OpenAPI 3.1, whose schemas are plain
 * JSON Schema: "or null" becomes a `null` type, which validators and client generators read alike.
 *
 * Why not keep 3.0: for a nullable property of a schema type, @nestjs/swagger writes
 * `{ nullable: true, type: 'object', allOf: [{ $ref }] }`, and under 3.0's rules `null` still fails
 * the `allOf`: strict validators refuse ordinary answers (a draft's `publishedBy: null`).
 */
export function toOpenApi31<T extends object>(document: T): T {
  return { ...(withNullTypes(document) as object), openapi: '3.1.0' } as T;
}

function withNullTypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withNullTypes);
  if (value === null || typeof value !== 'object') return value;
  const { nullable, ...rest } = value as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, inner]) => [key, memberWithNullTypes(key, inner)]));
  return nullable === true ? orNull(converted) : converted;
}

/** Values (`enum`, `example`) are data, not schemas; `properties` maps names (any, `enum` too) to schemas. */
function memberWithNullTypes(key: string, inner: unknown): unknown {
  if (key === 'enum' || key === 'example') return inner;
  if (key === 'properties' && inner !== null && typeof inner === 'object') {
    return Object.fromEntries(Object.entries(inner).map(([name, schema]) => [name, withNullTypes(schema)]));
  }
  return withNullTypes(inner);
}

function orNull(schema: Record<string, unknown>): Record<string, unknown> {
  const { type, allOf, enum: values, ...rest } = schema;
  // @nestjs/swagger's shape for a schema type: the reference alone, or null.
  if (Array.isArray(allOf) && allOf.length === 1) return { ...rest, anyOf: [allOf[0], { type: 'null' }] };
  if (typeof type === 'string') {
    const withNull = Array.isArray(values) && !values.includes(null) ? { enum: [...values, null] } : {};
    return { ...schema, type: [type, 'null'], ...withNull };
  }
  return { anyOf: [schema, { type: 'null' }] };
}
