import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { isReservedActorId, RESERVED_ACTOR_PREFIXES } from '#libs/contracts';

/**
 * Text PostgreSQL can store: no NUL (JSON allows it, text and jsonb do not) and no lone UTF-16
 * surrogate (valid JSON escapes, but not Unicode).
 */
export const isStorableText = (value: string): boolean => !value.includes('\u0000') && value.isWellFormed();

export const IsStorableText = (options: ValidationOptions = {}) =>
  ValidateBy(
    {
      name: 'isStorableText',
      validator: {
        validate: (value) => typeof value === 'string' && isStorableText(value),
        defaultMessage: () => '$property must not contain NUL characters or unpaired surrogates',
      },
    },
    options,
  );

/** A string with at least one visible character, at most `maxLength` characters, and storable. */
export const IsText = (maxLength: number, options: ValidationOptions = {}) =>
  applyDecorators(
    IsString(options),
    Matches(/\S/, { ...options, message: '$property must not be blank' }),
    IsStorableText(options),
    MaxLength(maxLength, options),
  );

/** A staff id (a token's `sub`): the service's own actors and readers have ids no staff member may take. */
export const IsStaffId = (options: ValidationOptions = {}) =>
  ValidateBy(
    {
      name: 'isStaffId',
      validator: {
        validate: (value) => typeof value === 'string' && !isReservedActorId(value),
        defaultMessage: () => `$property must not start with ${RESERVED_ACTOR_PREFIXES.join(' or ')} (the service's own actors and readers)`,
      },
    },
    options,
  );

/**
 * A field that may be left out but not sent as null: unlike `IsOptional`, which skips null too,
 * null goes on to the field's own checks and is refused there, naming the field.
 */
export const IsOmittable = () => ValidateIf((_, value) => value !== undefined);

const trimmed = (value: unknown): unknown => (typeof value === 'string' ? value.trim() : value);

/**
 * Surrounding whitespace is no part of a name or a title: `" Local "` is the section `Local`, and
 * a board filter for it must find it. Trims a string, or each string of an array.
 */
export const Trimmed = () => Transform(({ value }) => (Array.isArray(value) ? value.map(trimmed) : trimmed(value)));
