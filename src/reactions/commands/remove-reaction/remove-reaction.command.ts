import { Command } from '@nestjs/cqrs';
import type { ReactionAnswer, ReactionWriteContext } from '../../reaction-stream.js';

export class RemoveReactionCommand extends Command<ReactionAnswer> {
  constructor(readonly context: ReactionWriteContext) {
    super();
  }
}
