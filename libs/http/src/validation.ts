import { ValidationPipe, type ArgumentMetadata, type ValidationError, type ValidationPipeOptions } from '@nestjs/common';
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
