import 'reflect-metadata';
import type { ArgumentMetadata } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, MaxLength } from 'class-validator';
import { ValidationProblem, type FieldError } from './problem-details.js';
import { bodyFieldErrors, createValidationPipe, IgnoresUnknownQueryParameters, NoFieldsPipe } from './validation.js';

class NoteBody {
  // Decorators register bottom-up, and with stopAtFirstError the first registered answers.
  @MaxLength(10)
  @IsString()
  text!: string;
}

class StrictQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  limit?: number;
}

@IgnoresUnknownQueryParameters()
class PublicQuery extends StrictQuery {}

const pipe = createValidationPipe();
const body: ArgumentMetadata = { type: 'body', metatype: NoteBody };
const query = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype });

/** The fields a 400 lists, or the value the pipe passed on. */
async function outcome(value: unknown, metadata: ArgumentMetadata): Promise<{ refused: FieldError[] } | { passed: unknown }> {
  try {
    return { passed: await pipe.transform(value, metadata) };
  } catch (problem) {
    if (problem instanceof ValidationProblem) return { refused: [...problem.found] };
    throw problem;
  }
}

describe('the validation pipe', () => {
  it('passes a valid body on as an instance of its DTO', async () => {
    const result = await outcome({ text: 'Fine' }, body);
    expect(result).toEqual({ passed: { text: 'Fine' } });
    expect((result as { passed: unknown }).passed).toBeInstanceOf(NoteBody);
  });

  it('lists an unknown field beside an invalid one', async () => {
    expect(await outcome({ text: 'far too long a note', colour: 'red' }, body)).toEqual({
      refused: [
        { field: 'colour', message: 'property colour should not exist' },
        { field: 'text', message: 'text must be shorter than or equal to 10 characters' },
      ],
    });
  });

  it.each(['constructor', 'toString', 'hasOwnProperty'])('refuses a field named like a member of Object.prototype (%s)', async (field) => {
    expect(await outcome(JSON.parse(`{"text":"Fine","${field}":1}`), body)).toEqual({
      refused: [{ field, message: `property ${field} should not exist` }],
    });
    expect(await outcome(JSON.parse(`{"text":7,"${field}":1}`), body)).toEqual({
      refused: [
        { field: 'text', message: 'text must be a string' },
        { field, message: `property ${field} should not exist` },
      ],
    });
  });

  it.each([[[{ text: 'Fine' }]], ['Fine'], [7], [true]])('refuses a body that is not a JSON object (%j)', async (value) => {
    expect(await outcome(value, body)).toEqual({ refused: [{ field: 'body', message: 'must be a JSON object' }] });
  });

  it('passes text on in composed form (NFC): the same letters typed two ways are one string', async () => {
    expect(await outcome({ text: 'Cafe\u0301' }, body)).toEqual({ passed: { text: 'Caf\u00e9' } });
  });

  it('drops empty query parameters rather than refusing them', async () => {
    expect(await outcome({ limit: '' }, query(StrictQuery))).toEqual({ passed: {} });
    expect(await outcome({ limit: '5' }, query(StrictQuery))).toEqual({ passed: { limit: 5 } });
  });

  it('refuses unknown query parameters, unless the DTO ignores them', async () => {
    expect(await outcome({ limit: '5', utm_source: 'mail' }, query(StrictQuery))).toEqual({
      refused: [{ field: 'utm_source', message: 'property utm_source should not exist' }],
    });
    expect(await outcome({ limit: '5', utm_source: 'mail', constructor: 'x' }, query(PublicQuery))).toEqual({ passed: { limit: 5 } });
    expect(await outcome({ limit: 'five', utm_source: 'mail' }, query(PublicQuery))).toEqual({
      refused: [{ field: 'limit', message: 'limit must be an integer number' }],
    });
  });
});

describe('bodyFieldErrors', () => {
  it('lists what the pipe would, for a check that runs before it', () => {
    expect(bodyFieldErrors(NoteBody, { text: 'Fine' })).toEqual([]);
    expect(bodyFieldErrors(NoteBody, undefined)).toEqual([{ field: 'text', message: 'text must be a string' }]);
    expect(bodyFieldErrors(NoteBody, [])).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
    expect(bodyFieldErrors(NoteBody, JSON.parse('{"text":"Fine","toString":1}'))).toEqual([{ field: 'toString', message: 'property toString should not exist' }]);
  });
});

describe('NoFieldsPipe', () => {
  const noFields = new NoFieldsPipe();
  const refused = (value: unknown): FieldError[] => {
    try {
      noFields.transform(value);
      return [];
    } catch (problem) {
      return [...(problem as ValidationProblem).found];
    }
  };

  it('takes no body or an empty object', () => {
    expect(refused(undefined)).toEqual([]);
    expect(refused({})).toEqual([]);
  });

  it('names each field sent, and refuses what is not an object', () => {
    expect(refused({ reason: 'x', force: true })).toEqual([
      { field: 'reason', message: 'property reason should not exist' },
      { field: 'force', message: 'property force should not exist' },
    ]);
    expect(refused(['x'])).toEqual([{ field: 'body', message: 'must be a JSON object (this command takes no fields)' }]);
  });
});
