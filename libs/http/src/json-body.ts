import { parse as parseContentType } from 'content-type';
import { ProblemError, ValidationProblem } from './problem-details.js';

/**
 * What a JSON request body must be before it is parsed: UTF-8 (RFC 8259 §8.1). A body declared in
 * another charset, or with bytes that are not UTF-8, is refused: decoded anyway, its text would be
 * misread or turned into U+FFFD, and written to the event store for good.
 */
export function decodeJsonBody(contentType: string | undefined, body: Buffer): string {
  const charset = contentType === undefined ? undefined : parseContentType(contentType).parameters.charset?.toLowerCase();
  // US-ASCII is UTF-8 too (RFC 8259 §11 gives the parameter no meaning; others would misread).
  if (charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(charset)) {
    throw new ProblemError(415, 'unsupported-charset', 'Unsupported charset', `The body is declared as charset "${charset}": send JSON in UTF-8.`);
  }
  try {
    return UTF8.decode(body);
  } catch {
    throw new ProblemError(400, 'malformed-json', 'Malformed JSON', 'The body is not valid UTF-8.');
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Fastify's JSON parser refuses a `__proto__` key, or `constructor` holding `prototype` (either
 * could poison prototypes further on), as if the JSON were malformed. When the text is valid JSON,
 * that is the reason: answered as the unknown fields they are.
 */
export function prototypeKeyProblem(text: string): ValidationProblem | undefined {
  const keys = new Set<string>();
  try {
    // JSON.parse itself makes "__proto__" an own property, harmlessly: only the names are kept.
    JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)) keys.add(key);
      return value;
    });
  } catch {
    return undefined;
  }
  return new ValidationProblem([...keys].map((field) => ({ field, message: `property ${field} should not exist` })));
}
