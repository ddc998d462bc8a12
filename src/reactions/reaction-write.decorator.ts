import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import { isUuid } from '#libs/contracts';
import { bodyFieldErrors, ValidationProblem } from '#libs/http';
import { ArticleNotReactableError } from './domain/reaction.errors.js';
import type { ReactionWriteContext } from './reaction-stream.js';

/** Reader ids are opaque (the page keeps one in a cookie) but must look like one. */
export const READER_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** The reader id of an `X-Reader-Id` header, or undefined when it is missing, repeated or malformed. */
export function readerIdOf(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && READER_ID.test(header) ? header : undefined;
}

/**
 * The article (`:id`, 404 unless a UUID), the reader (`X-Reader-Id`, 400) and the request id. Give
 * the request's body type, if it has one: a 400 for the header then lists the body's problems too.
 */
export const ReactionWrite = createParamDecorator((bodyType: ClassConstructor<object> | undefined, context: ExecutionContext): ReactionWriteContext => {
  const request = context.switchToHttp().getRequest();
  const readerId = readerIdOf(request.headers['x-reader-id']);
  if (readerId === undefined) {
    throw new ValidationProblem([
      { field: 'X-Reader-Id', message: 'must be 8 to 64 letters, digits, "-" or "_"' },
      ...(bodyType === undefined ? [] : bodyFieldErrors(bodyType, request.body)),
    ]);
  }
  const id: string = request.params.id;
  if (!isUuid(id)) throw new ArticleNotReactableError(id);
  return { articleId: id.toLowerCase(), readerId, correlationId: request.id };
});
