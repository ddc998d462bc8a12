import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ReactionStream, type ReactionAnswer } from '../../reaction-stream.js';
import { ReactToArticleCommand } from './react-to-article.command.js';

@CommandHandler(ReactToArticleCommand)
export class ReactToArticleHandler implements ICommandHandler<ReactToArticleCommand> {
  constructor(private readonly reactions: ReactionStream) {}

  execute({ context, kind }: ReactToArticleCommand): Promise<ReactionAnswer> {
    return this.reactions.execute(context, { type: 'React', kind });
  }
}
