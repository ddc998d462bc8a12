import { Command } from '@nestjs/cqrs';
import type { WriteContext, WriteResult } from '../../article-stream.js';
import type { AddEditorialNoteRequest } from './add-editorial-note.request.dto.js';

export class AddEditorialNoteCommand extends Command<WriteResult & { noteId: string }> {
  constructor(
    readonly context: WriteContext,
    readonly request: AddEditorialNoteRequest,
  ) {
    super();
  }
}
