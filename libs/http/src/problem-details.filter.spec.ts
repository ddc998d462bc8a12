import { Logger, type ArgumentsHost } from '@nestjs/common';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { problemType, type ProblemDetails } from './problem-details.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });
// What TypeORM throws for a failed query: the driver's fields copied on, the driver's error kept.
const queryFailed = (code: string, message: string) =>
  Object.assign(new Error(message), { name: 'QueryFailedError', code, driverError: withCode(code, message) });

/** Runs the filter on one error and answers what the client would get. */
function render(exception: unknown): { status: number; headers: Record<string, string>; body: ProblemDetails } {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown as ProblemDetails };
  const reply = {
    status(code: number) { sent.status = code; return reply; },
    headers(values: Record<string, string>) { Object.assign(sent.headers, values); return reply; },
    send(body: ProblemDetails) { sent.body = body; return reply; },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ id: 'req-1', url: '/feed?cursor=x' }), getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return sent;
}

describe('ProblemDetailsFilter', () => {
  // The 500 cases log an error on purpose; keep the test output clean.
  beforeAll(() => Logger.overrideLogger(false));

  // Backstop for input that got past validation: PostgreSQL refusing a value is the client's fault.
  it.each([
    ['an impossible date (22008)', queryFailed('22008', 'date/time field value out of range: "2025-02-30T00:00:00.000Z"')],
    ['a malformed uuid (22P02)', queryFailed('22P02', 'invalid input syntax for type uuid: "x"')],
    ['a value too long for its column (22001)', queryFailed('22001', 'value too long for type character varying(200)')],
    ['a bare driver error', withCode('22003', 'numeric field overflow')],
    ['an error caused by one', new Error('read failed', { cause: withCode('22007', 'invalid input syntax for type timestamp') })],
  ])('answers 400 problem+json for a data exception: %s', (_, error) => {
    const { status, headers, body } = render(error);
    expect(status).toBe(400);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(body).toEqual({
      type: problemType('invalid-value'),
      title: 'Invalid value',
      status: 400,
      detail: expect.any(String),
      instance: '/feed?cursor=x',
      // No field can be named: the request as a whole is what is wrong.
      errors: [{ field: 'request', message: body.detail }],
    });
    // The database's message stays in the log, not in the answer.
    expect(body.detail).not.toContain((error as Error).message);
  });

  it.each([
    ['a unique violation (23505)', queryFailed('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error in our own SQL (42601)', queryFailed('42601', 'syntax error at or near "FROM"')],
    ['a code that only starts like one', withCode('2200', 'not a SQLSTATE')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('keeps a 500 for %s', (_, error) => {
    const { status, body } = render(error);
    expect(status).toBe(500);
    expect(body.type).toBe(problemType('internal-error'));
  });
});
