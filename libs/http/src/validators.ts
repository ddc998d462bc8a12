import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import ipaddr from 'ipaddr.js';
import { IsString, Matches, MaxLength, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { isReservedActorId, RESERVED_ACTOR_PREFIXES } from '#libs/contracts';

/**
 * Text every place it goes can carry: PostgreSQL (no NUL: JSON allows it, text and jsonb do not),
 * Unicode (no lone UTF-16 surrogate, which JSON escapes allow) and the XML of the RSS and Atom
 * feeds (none of XML's forbidden characters), so a story reads the same in every format. No
 * control character at all but tab and line breaks: DEL and the C1 controls (U+009B starts a
 * terminal's escape sequence) are allowed by XML but mean nothing in a story.
 */
export const isStorableText = (value: string): boolean => !UNCARRIED.test(value) && value.isWellFormed();

const UNCARRIED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/;

/**
 * Whether the text shows anything: not only white space, control or format characters (a
 * zero-width space), marks with no letter to sit on (variation selectors, the grapheme joiner),
 * nor the letters that draw nothing (Hangul fillers, the blank Braille pattern), the usual makings
 * of an invisible name.
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{M}\u115F\u1160\u3164\uFFA0\u2800]/u;

export const IsStorableText = (options: ValidationOptions = {}) =>
  ValidateBy(
    {
      name: 'isStorableText',
      validator: {
        validate: (value) => typeof value === 'string' && isStorableText(value),
        defaultMessage: () => '$property must not contain control characters (but tab and line breaks), U+FFFE, U+FFFF or unpaired surrogates',
      },
    },
    options,
  );

/** A string with at least one visible character, at most `maxLength` characters, and storable. */
export const IsText = (maxLength: number, options: ValidationOptions = {}) =>
  applyDecorators(
    IsString(options),
    Matches(VISIBLE, { ...options, message: '$property must not be blank' }),
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

/**
 * A link readers can follow from a public page: no user name or password in it (they would be
 * published), and no address of a private network or of the reader's own machine (`127.0.0.1`,
 * `10.0.0.0/8`, ...), which leads nowhere public. Host names are taken as given.
 */
export function isPublicLink(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.username !== '' || url.password !== '') return false;
  // The URL parser writes IP hosts in their usual form (0x7f.1 is 127.0.0.1); IPv6 in brackets.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // Names under "localhost" always mean the reader's own machine (RFC 6761).
  if (/(^|\.)localhost\.?$/.test(host)) return false;
  return !ipaddr.isValid(host) || ipaddr.process(host).range() === 'unicast';
}

export const IsPublicLink = (options: ValidationOptions = {}) =>
  ValidateBy(
    {
      name: 'isPublicLink',
      validator: {
        validate: isPublicLink,
        defaultMessage: () => '$property must be a public address: no user name or password, no private or loopback IP',
      },
    },
    options,
  );
