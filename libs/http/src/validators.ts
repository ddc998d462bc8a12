import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength, type ValidationOptions } from 'class-validator';

/**
 * A string with at least one visible character and at most `maxLength` characters. NUL is
 * refused: JSON allows it, PostgreSQL text and jsonb cannot store it.
 */
export const IsText = (maxLength: number, options: ValidationOptions = {}) =>
  applyDecorators(
    IsString(options),
    Matches(/\S/, { ...options, message: '$property must not be blank' }),
    Matches(/^[^\u0000]*$/, { ...options, message: '$property must not contain NUL characters' }),
    MaxLength(maxLength, options),
  );
