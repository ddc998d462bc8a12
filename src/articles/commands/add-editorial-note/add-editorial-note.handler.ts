import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ArticleStream, type WriteResult } from '../../article-stream.js';
import { AddEditorialNoteCommand } from './add-editorial-note.command.js';

@CommandHandler(AddEditorialNoteCommand)
export class AddEditorialNoteHandler implements ICommandHandler<AddEditorialNoteCommand> {
  constructor(private readonly articles: ArticleStream) {}

  async execute({ context, request }: AddEditorialNoteCommand): Promise<WriteResult & { noteId: string }> {
    const noteId = uuidv7();
    const result = await this.articles.execute(context, 'AddEditorialNote', { noteId, text: request.text });
    return { ...result, noteId };
  }
}
