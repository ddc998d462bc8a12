import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ReactionStream, type ReactionAnswer } from '../../reaction-stream.js';
import { RemoveReactionCommand } from './remove-reaction.command.js';

@CommandHandler(RemoveReactionCommand)
export class RemoveReactionHandler implements ICommandHandler<RemoveReactionCommand> {
  constructor(private readonly reactions: ReactionStream) {}

  execute({ context }: RemoveReactionCommand): Promise<ReactionAnswer> {
    return this.reactions.execute(context, { type: 'RemoveReaction' });
  }
}
