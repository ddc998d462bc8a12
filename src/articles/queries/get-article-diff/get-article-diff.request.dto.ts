import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsIntegerParam } from '#libs/read-models';

const MAX_VERSION = 2_147_483_647;

/** `GET /articles/:id/diff?from=N[&to=M]`; `to` defaults to the current version. */
export class GetArticleDiffRequest {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The older version' })
  @IsIntegerParam(1, MAX_VERSION)
  from!: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'The newer version; the current one by default' })
  @IsOptional()
  @IsIntegerParam(1, MAX_VERSION)
  to?: number;
}
