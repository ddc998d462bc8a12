import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/**
 * An integer in the query string. Only plain digits become a number ("1e3", "0x10" or "2.0" stay
 * strings and fail IsInt), so what a client sends is exactly what the server reads.
 */
export const IsIntegerParam = (min: number, max: number) =>
  applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value)),
    IsInt(),
    Min(min),
    Max(max),
  );
