import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateBy } from 'class-validator';
import { IsIntegerParam } from '#libs/read-models';
import { MAX_ARTICLE_VERSION } from '../../article-limits.js';

/** `GET /articles/:id/diff?from=N[&to=M]`; `to` defaults to the current version. */
export class GetArticleDiffRequest {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The older version' })
  // Beside the other fields' problems; with `to` left out, the handler checks against the current version.
  @ValidateBy({
    name: 'isNotAfterTo',
    validator: {
      validate: (from, args) => {
        const { to } = args!.object as GetArticleDiffRequest;
        return typeof to !== 'number' || (from as number) <= to;
      },
      defaultMessage: (args) => `from must not be higher than to (${(args!.object as GetArticleDiffRequest).to})`,
    },
  })
  @IsIntegerParam(1, MAX_ARTICLE_VERSION)
  from!: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'The newer version; the current one by default' })
  @IsOptional()
  @IsIntegerParam(1, MAX_ARTICLE_VERSION)
  to?: number;
}
