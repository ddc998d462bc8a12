import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiHeader, ApiParam, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '#libs/http';
import { ProblemDetailsSchema, WriteResultSchema } from './api-schemas.js';

/** OpenAPI decorators shared by the controllers: documentation only, no behaviour. */

/** Error answers, each `application/problem+json` with the shared ProblemDetails schema. */
export const ApiProblems = (...problems: [status: number, description: string][]) =>
  applyDecorators(
    ApiExtraModels(ProblemDetailsSchema),
    ...problems.map(([status, description]) =>
      ApiResponse({
        status,
        description,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsSchema) } } },
      }),
    ),
  );

/** A staff route: bearer JWT, 401 without a valid one, 403 for a role it does not allow. */
export const ApiStaff = () =>
  applyDecorators(ApiBearerAuth(), ApiProblems([401, 'No token, or an invalid or expired one'], [403, 'The role is not allowed']));

/** A read that waits for `X-Min-Position` (bounded); the answer says whether it got there. */
export const ApiMinPosition = () =>
  ApiHeader({
    name: 'X-Min-Position',
    required: false,
    description: 'Wait (a few seconds at most) until the read model has applied this global position; see X-Min-Position-Reached',
  });

/** The `:id` of an article (a UUID; anything else is 404). */
export const ApiArticleId = () => ApiParam({ name: 'id', type: String, format: 'uuid', description: 'The article' });

/** A write on an article: `If-Match`, `{ id, version, position }`, and the problems a write can meet. */
export const ApiArticleWrite = (status: 200 | 201, description: string) =>
  applyDecorators(
    ApiArticleId(),
    ApiHeader({ name: 'If-Match', required: false, description: 'The version the client last saw, e.g. "3"; 412 when the article has moved on' }),
    ApiResponse({ status, description, type: WriteResultSchema }),
    ApiProblems(
      [400, 'Invalid input: `errors` lists each invalid field'],
      [404, 'No such article'],
      [409, 'The transition or business rule refuses it; nothing was written'],
      [412, 'If-Match names another version'],
      [413, 'Request body too large'],
    ),
  );
