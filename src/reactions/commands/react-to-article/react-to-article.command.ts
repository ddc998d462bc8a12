import { Command } from '@nestjs/cqrs';
import type { ReactionKind } from '#libs/contracts';
import type { ReactionAnswer, ReactionWriteContext } from '../../reaction-stream.js';

export class ReactToArticleCommand extends Command<ReactionAnswer> {
  constructor(
    readonly context: ReactionWriteContext,
    readonly kind: ReactionKind,
  ) {
    super();
  }
}
