import { IsIn } from 'class-validator';
import { REACTION_KINDS, type ReactionKind } from '#libs/contracts';

export class ReactToArticleRequest {
  @IsIn(REACTION_KINDS, { message: `kind must be one of ${REACTION_KINDS.join(', ')}` })
  kind!: ReactionKind;
}
