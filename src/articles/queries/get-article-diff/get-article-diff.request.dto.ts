import { IsOptional } from 'class-validator';
import { IsIntegerParam } from '#libs/read-models';

const MAX_VERSION = 2_147_483_647;

/** `GET /articles/:id/diff?from=N[&to=M]`; `to` defaults to the current version. */
export class GetArticleDiffRequest {
  @IsIntegerParam(1, MAX_VERSION)
  from!: number;

  @IsOptional()
  @IsIntegerParam(1, MAX_VERSION)
  to?: number;
}
