import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** `POST /admin/projections/:name/rebuild` query string: `wait` only. */
export class RebuildProjectionRequest {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'true: answer 200 with the result when done instead of 202 at once' })
  @IsOptional()
  @IsIn(['true', 'false'])
  wait?: 'true' | 'false';
}
