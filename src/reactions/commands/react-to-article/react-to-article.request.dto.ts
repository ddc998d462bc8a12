import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn } from 'class-validator';
import { REACTION_KINDS, type ReactionKind } from '#libs/contracts';

export class ReactToArticleRequest {
  @ApiProperty({ enum: REACTION_KINDS, description: 'Taken in any case ("Like", as the page labels it, is like); answered in lower case' })
  // The page's buttons say Like, Dislike, Love...: a kind is its name, whatever the case.
  @Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsIn(REACTION_KINDS, { message: `kind must be one of ${REACTION_KINDS.join(', ')}` })
  kind!: ReactionKind;
}
