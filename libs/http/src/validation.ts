import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidationProblem, type FieldError } from './problem-details.js';

/** Flattens class-validator's nested errors into `field.path: message` entries. */
function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * Whitelisting validation for every DTO: unknown fields are refused, values are transformed to
 * their declared types, and failures become one 400 problem that lists each invalid field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validateCustomDecorators: false,
    // One message per field is clearer than every rule a missing value breaks.
    stopAtFirstError: true,
    exceptionFactory: (errors) => new ValidationProblem(toFieldErrors(errors)),
  });
}
