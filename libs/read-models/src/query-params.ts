import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/**
 * An integer in the query string. Only plain digits become a number ("1e3", "0x10" or "2.0" stay
 * strings and fail IsInt), so what a client sends is exactly what the server reads.
 */
export const IsIntegerParam = (min: number, max: number) => {
  // One message for every way to miss: "-1", "1.5", "abc" and 99999999999 are all out of range.
  const message = `$property must be an integer from ${min} to ${max}`;
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value)),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
};
