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
  if (typeof body !== 'object' || Array.isArray(body)) return [{ field: 'body', message: 'must be a JSON object' }];
  return toFieldErrors(validateSync(plainToInstance(type, body), OPTIONS));
}

class WhitelistValidationPipe extends ValidationPipe {
  private readonly lenient = new ValidationPipe({ ...OPTIONS, forbidNonWhitelisted: false });

  constructor() {
    super(OPTIONS);
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'query') return super.transform(value, metadata);
    const lenient = metadata.metatype !== undefined && Reflect.getMetadata(IGNORES_UNKNOWN_QUERY_PARAMETERS, metadata.metatype) === true;
    const query = withoutEmptyParameters(value);
    return lenient ? this.lenient.transform(query, metadata) : super.transform(query, metadata);
  }
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
