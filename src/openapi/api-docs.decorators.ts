import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiParam,
  ApiResponse,
  getSchemaPath,
  type ContentObject,
  type HeadersObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { MIN_POSITION_PATTERN, PROBLEM_CONTENT_TYPE } from '#libs/http';
import { ProblemDetailsSchema, WriteResultSchema } from './api-schemas.js';

/** OpenAPI decorators shared by the controllers: documentation only, no behaviour. */

export const stringHeader = (description: string) => ({ description, schema: { type: 'string' } });

export const etagHeader = (description: string): HeadersObject => ({ ETag: stringHeader(description) });

/** What VersionETagInterceptor sends on every answer of an article that carries its version. */
const VERSION_ETAG = etagHeader('The article version, quoted (e.g. "3"): send it back in If-Match');

/** What MinPositionInterceptor sends on the reads marked @ReadsFrom, when the request named a position. */
export const MIN_POSITION_REACHED: HeadersObject = {
  'X-Min-Position-Reached': stringHeader('Only when X-Min-Position was sent: `true` when the read model had applied it, `false` when the wait ran out'),
};

/** What sendWithValidators (src/feed/conditional-get.ts) sends with a public read, 200 or 304. */
const PUBLIC_VALIDATORS: HeadersObject = {
  ETag: stringHeader('A hash of the body (strong): send it in If-None-Match'),
  'Last-Modified': stringHeader('The latest change of the stories or reaction counts in the body; absent while there is none'),
  'Cache-Control': stringHeader('public, max-age=60'),
};

/** Each media type's schema: a schema class (registered with the document) or an inline schema. */
export type ApiContent = Record<string, Type<unknown> | SchemaObject>;

function contentOf(media: ApiContent): { content: ContentObject; models: Type<unknown>[] } {
  const models: Type<unknown>[] = [];
  const content: ContentObject = {};
  for (const [mediaType, schema] of Object.entries(media)) {
    if (typeof schema === 'function') {
      models.push(schema);
      content[mediaType] = { schema: { $ref: getSchemaPath(schema) } };
    } else {
      content[mediaType] = { schema };
    }
  }
  return { content, models };
}

/** An answer whose media types come from the route itself rather than from Nest's JSON default. */
export const ApiContentResponse = (status: number, description: string, media: ApiContent, headers?: HeadersObject) => {
  const { content, models } = contentOf(media);
  return applyDecorators(ApiExtraModels(...models), ApiResponse({ status, description, content, headers }));
};

/** An error answer: its status, what it means, and the headers it carries besides the body. */
export type ApiProblem = [status: number, description: string, headers?: HeadersObject];

/** Error answers, each `application/problem+json` with the shared ProblemDetails schema. */
export const ApiProblems = (...problems: ApiProblem[]) =>
  applyDecorators(
    ApiExtraModels(ProblemDetailsSchema),
    ...problems.map(([status, description, headers]) =>
      ApiResponse({
        status,
        description,
        headers,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsSchema) } } },
      }),
    ),
  );

/** The service decodes JSON only, and no compressed body (see acceptJsonBodiesOnly in src/bootstrap.ts). */
export const UNSUPPORTED_BODY: ApiProblem = [415, 'The body is not JSON, is compressed (Content-Encoding), or declares a charset other than UTF-8'];

/** A staff route: bearer JWT, 401 without a valid one, 403 for a role it does not allow. */
export const ApiStaff = () =>
  applyDecorators(ApiBearerAuth(), ApiProblems([401, 'No token, or an invalid or expired one'], [403, 'The role is not allowed']));

const MIN_POSITION_SCHEMA = { type: 'string', pattern: MIN_POSITION_PATTERN } as const;

/** A read that waits for `X-Min-Position` (bounded); the answer says whether it got there. */
export const ApiMinPosition = () =>
  ApiHeader({
    name: 'X-Min-Position',
    required: false,
    description: 'Wait (a few seconds at most) until the read model has applied this global position; see X-Min-Position-Reached',
    schema: MIN_POSITION_SCHEMA,
  });

/** The `:id` of an article (a UUID; anything else is 404). */
export const ApiArticleId = () => ApiParam({ name: 'id', type: String, format: 'uuid', description: 'The article' });

/**
 * A staff read folded from the article's stream: always current, so `X-Min-Position` is only
 * validated. The answer's ETag is a version.
 */
export const ApiArticleRead = (type: Type<unknown>, description: string, etag = VERSION_ETAG) =>
  applyDecorators(
    ApiArticleId(),
    ApiHeader({ name: 'X-Min-Position', required: false, description: 'Validated only: these reads fold the stream, so they are always current', schema: MIN_POSITION_SCHEMA }),
    ApiResponse({ status: 200, description, type, headers: etag }),
  );

/** A staff read served from projections (@ReadsFrom). */
export const ApiProjectionRead = (type: Type<unknown>, description: string) =>
  applyDecorators(ApiMinPosition(), ApiResponse({ status: 200, description, type, headers: MIN_POSITION_REACHED }));

/**
 * A public read (@ReadsFrom, answered through sendWithValidators): ETag and Last-Modified, and 304
 * to a client whose copy is current.
 */
export const ApiPublicRead = (description: string, media: ApiContent) =>
  applyDecorators(
    ApiMinPosition(),
    ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of the copy the client has: 304 while it is current' }),
    ApiHeader({ name: 'If-Modified-Since', required: false, description: 'The Last-Modified of the copy; ignored when If-None-Match is sent' }),
    ApiContentResponse(200, description, media, { ...PUBLIC_VALIDATORS, ...MIN_POSITION_REACHED }),
    ApiResponse({ status: 304, description: "Not modified: the client's copy is current", headers: { ...PUBLIC_VALIDATORS, ...MIN_POSITION_REACHED } }),
  );

/** A write on an article: `If-Match`, `{ id, version, position }`, and the problems a write can meet. */
export const ApiArticleWrite = (status: 200 | 201, description: string, type: Type<WriteResultSchema> = WriteResultSchema) =>
  applyDecorators(
    ApiArticleId(),
    ApiHeader({ name: 'If-Match', required: false, description: 'The version the client last saw, e.g. "3"; 412 when the article has moved on' }),
    ApiResponse({ status, description, type, headers: VERSION_ETAG }),
    ApiProblems(
      [400, 'Invalid input: `errors` lists each invalid field'],
      [404, 'No such article'],
      [409, 'The transition or business rule refuses it; nothing was written'],
      [412, 'If-Match names another version'],
      [413, 'Request body too large'],
      UNSUPPORTED_BODY,
    ),
  );

/** `POST /articles`: 201 with Location and the first version as ETag. */
export const ApiArticleDraft = () =>
  applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'Any value is a 412: a new article has no version yet' }),
    ApiResponse({
      status: 201,
      description: 'Drafted; Location names the article',
      type: WriteResultSchema,
      headers: { Location: stringHeader('/articles/{id}'), ...VERSION_ETAG },
    }),
    ApiProblems([400, 'Invalid input: `errors` lists each invalid field'], [412, 'Any If-Match: nothing exists yet'], [413, 'Request body too large'], UNSUPPORTED_BODY),
  );

/** Commands without fields (submit, approve): no body, or an empty JSON object; any field is a 400. */
export const ApiNoFields = () =>
  ApiBody({ required: false, description: 'Nothing, or {}: this command takes no fields', schema: { type: 'object', maxProperties: 0 } });
