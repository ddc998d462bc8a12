import { Injectable, ValidationPipe, type ArgumentMetadata, type PipeTransform, type ValidationError, type ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ValidationProblem, type FieldError } from './problem-details.js';

/** Flattens class-validator's nested errors into `field.path: message` entries. */
function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

const IGNORES_UNKNOWN_QUERY_PARAMETERS = Symbol('ignoresUnknownQueryParameters');

/**
 * For the query string of a public URL: parameters the DTO does not name are dropped, not refused.
 * Links to public pages collect them (utm_source, fbclid, a script's cache-busting `_=`).
 */
export const IgnoresUnknownQueryParameters = (): ClassDecorator => (target) => {
  Reflect.defineMetadata(IGNORES_UNKNOWN_QUERY_PARAMETERS, true, target);
};

/**
 * Whitelisting validation for every DTO: unknown fields are refused (but see
 * IgnoresUnknownQueryParameters), values are transformed to their declared types, and failures
 * become one 400 problem that lists each invalid field.
 */
export function createValidationPipe(): ValidationPipe {
  return new WhitelistValidationPipe();
}

const OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validateCustomDecorators: false,
  // One message per field is clearer than every rule a missing value breaks.
  stopAtFirstError: true,
  exceptionFactory: (errors) => new ValidationProblem(toFieldErrors(errors)),
};

/**
 * What the validation pipe would list for this body, for a check that runs before it (a header
 * refused in a parameter decorator) and must list the body's problems beside its own.
 */
export function bodyFieldErrors(type: ClassConstructor<object>, body: unknown): FieldError[] {
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) return [NOT_AN_OBJECT];
  return [...toFieldErrors(validateSync(plainToInstance(type, body), OPTIONS)), ...prototypeNamedFields(body as object)];
}

const NOT_AN_OBJECT: FieldError = { field: 'body', message: 'must be a JSON object' };

/**
 * Fields named like members of Object.prototype (`constructor`, `toString`, ...): class-transformer
 * never copies them onto the DTO, so the whitelist would let them through unseen. Unknown fields
 * like any other. (A DTO never declares such a name.)
 */
function prototypeNamedFields(value: object): FieldError[] {
  return Object.keys(value)
    .filter((field) => field in Object.prototype)
    .map((field) => ({ field, message: `property ${field} should not exist` }));
}

function withoutPrototypeNamedFields(value: object): object {
  return Object.fromEntries(Object.entries(value).filter(([field]) => !(field in Object.prototype)));
}

class WhitelistValidationPipe extends ValidationPipe {
  private readonly lenient = new ValidationPipe({ ...OPTIONS, forbidNonWhitelisted: false });

  constructor() {
    super(OPTIONS);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (!this.toValidate(metadata) || (metadata.type !== 'body' && metadata.type !== 'query')) return super.transform(value, metadata);
    value = inNfc(value);
    if (metadata.type === 'body' && value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw new ValidationProblem([NOT_AN_OBJECT]);
    }
    if (metadata.type === 'query') {
      value = withoutEmptyParameters(value);
      const lenient = Reflect.getMetadata(IGNORES_UNKNOWN_QUERY_PARAMETERS, metadata.metatype!) === true;
      if (lenient) return this.lenient.transform(withoutPrototypeNamedFields(value as object), metadata);
    }
    const unknown = value === undefined || value === null ? [] : prototypeNamedFields(value as object);
    if (unknown.length === 0) return super.transform(value, metadata);
    try {
      await super.transform(withoutPrototypeNamedFields(value as object), metadata);
    } catch (problem) {
      if (problem instanceof ValidationProblem) throw new ValidationProblem([...problem.found, ...unknown]);
      throw problem;
    }
    throw new ValidationProblem(unknown);
  }
}

/**
 * Every string of a body or query in Unicode's composed form (NFC, as the web's character model
 * asks): "é" typed as e + U+0301 and as U+00E9 is then one section, one tag, one search term.
 * NFC never changes how text looks.
 */
function inNfc(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map(inNfc);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([field, fieldValue]) => [field, inNfc(fieldValue)]));
}

/**
 * `?status=&limit=` (a form left blank, a template filled in part) means no filter and the default
 * limit: empty parameters are left out rather than refused as invalid values.
 */
function withoutEmptyParameters(query: unknown): unknown {
  if (query === null || typeof query !== 'object') return query;
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
}

/**
 * The body of a command that takes no fields (submit, approve): nothing, `{}`, or a 400 that names
 * each field sent, as a DTO names unknown fields. Use as `@Body(NoFieldsPipe)`.
 */
@Injectable()
export class NoFieldsPipe implements PipeTransform {
  transform(value: unknown): unknown {
    if (value === undefined || value === null) return value;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ValidationProblem([{ field: 'body', message: 'must be a JSON object (this command takes no fields)' }]);
    }
    const fields = Object.keys(value);
    if (fields.length > 0) {
      throw new ValidationProblem(fields.map((field) => ({ field, message: `property ${field} should not exist` })));
    }
    return value;
  }
}
