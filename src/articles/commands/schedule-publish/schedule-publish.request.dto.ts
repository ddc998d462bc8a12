import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, Matches } from 'class-validator';

export class SchedulePublishRequest {
  /** ISO 8601 date-time with its offset, e.g. 2026-12-01T06:00:00Z. */
  @ApiProperty({ format: 'date-time', example: '2026-12-01T06:00:00Z', description: 'With a time zone offset' })
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(/T.*(Z|[+-]\d{2}:?\d{2})$/, { message: 'publishAt must be a date-time with a time zone offset' })
  publishAt!: string;
}
