import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsISO8601, Matches } from 'class-validator';

export class SchedulePublishRequest {
  /** ISO 8601 date-time with its offset, e.g. 2026-12-01T06:00:00Z. */
  @ApiProperty({ format: 'date-time', example: '2026-12-01T06:00:00Z', description: 'With a time zone offset' })
  @IsISO8601({ strict: true, strictSeparator: true })
  // RFC 3339 (§5.6) lets "T" and "Z" be written in lower case; nothing else in a date-time has a case.
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @Matches(/T.*(Z|[+-]\d{2}:?\d{2})$/, { message: 'publishAt must be a date-time with a time zone offset' })
  publishAt!: string;
}
