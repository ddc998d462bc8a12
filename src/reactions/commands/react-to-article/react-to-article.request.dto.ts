import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { REACTION_KINDS, type ReactionKind } from '#libs/contracts';

export class ReactToArticleRequest {
  @ApiProperty({ enum: REACTION_KINDS })
  @IsIn(REACTION_KINDS, { message: `kind must be one of ${REACTION_KINDS.join(', ')}` })
  kind!: ReactionKind;
}
