import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength, type ValidationOptions } from 'class-validator';

/** A string with at least one visible character and at most `maxLength` characters. */
export const IsText = (maxLength: number, options: ValidationOptions = {}) =>
  applyDecorators(
    IsString(options),
    Matches(/\S/, { ...options, message: '$property must not be blank' }),
    MaxLength(maxLength, options),
  );
