import { parse as parseContentType } from 'content-type';
import { ProblemError, ValidationProblem } from './problem-details.js';

/**
 * What a JSON request body must be before it is parsed: UTF-8 (RFC 8259 §8.1). A body declared in
 * another charset, or with bytes that are not UTF-8, is refused: decoded anyway, its text would be
 * misread or turned into U+FFFD, and written to the event store for good.
 */
export function decodeJsonBody(contentType: string | undefined, body: Buffer): string {
  const charset = contentType === undefined ? undefined : parseContentType(contentType).parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
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
 * that is the reason: answered as the unknown field it is.
 */
export function prototypeKeyProblem(text: string): ValidationProblem | undefined {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  return new ValidationProblem([{ field: 'body', message: 'must not have a __proto__ key, nor a constructor key holding prototype' }]);
}
