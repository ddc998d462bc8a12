import { ValidationProblem } from '#libs/http';
import { decodeCursor, encodeCursor, toPage } from './keyset-pagination.js';

describe('keyset pagination', () => {
  const id = '01a21ec9-1c93-73f8-be7e-c7f68e03b647';
  const time = '2025-11-24T09:00:00.123Z';

  it('round-trips a key through an opaque base64url cursor', () => {
    const cursor = encodeCursor([time, id]);
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(decodeCursor(cursor, ['timestamp', 'uuid'])).toEqual([time, id]);
  });

  it.each([
    ['not base64 json', 'a%%%'],
    ['another shape', encodeCursor([id, time])],
    ['too few parts', encodeCursor([time])],
    ['a bad time', encodeCursor(['2025-13-45T99:00:00.000Z', id])],
    // Date.parse takes these (rolling them over), PostgreSQL refuses them: a 500 if they got through.
    ['an impossible date', encodeCursor(['2025-02-30T00:00:00.000Z', id])],
    ['a 29 February outside a leap year', encodeCursor(['2025-02-29T00:00:00.000Z', id])],
    ['hour 24', encodeCursor(['2025-01-01T24:00:00.000Z', id])],
    ['year 0000', encodeCursor(['0000-01-01T00:00:00.000Z', id])],
    ['SQL in a part', encodeCursor([time, "x' OR 1=1 --"])],
    ['an object', Buffer.from('{"a":1}').toString('base64url')],
  ])('refuses %s with a 400 naming the cursor', (_, cursor) => {
    expect(() => decodeCursor(cursor, ['timestamp', 'uuid'])).toThrow(ValidationProblem);
    try {
      decodeCursor(cursor, ['timestamp', 'uuid']);
    } catch (error) {
      expect((error as ValidationProblem).errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    }
  });

  it('takes a leap day and the first and last years a cursor can hold', () => {
    for (const edge of ['2024-02-29T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(decodeCursor(encodeCursor([edge, id]), ['timestamp', 'uuid'])).toEqual([edge, id]);
    }
  });

  it('round-trips a bigint key as its decimal string, up to the largest bigint', () => {
    for (const listed of ['0', '1', '42', '9223372036854775807']) {
      expect(decodeCursor(encodeCursor([listed]), ['integer'])).toEqual([listed]);
    }
  });

  it.each([
    ['past the largest bigint', '9223372036854775808'],
    ['negative', '-1'],
    ['a leading zero', '007'],
    ['a fraction', '1.5'],
    ['an exponent', '1e3'],
    ['blank', ''],
    ['SQL', '1 OR 1=1'],
  ])('refuses an integer part %s with a 400', (_, listed) => {
    expect(() => decodeCursor(encodeCursor([listed]), ['integer'])).toThrow(ValidationProblem);
  });

  it('refuses a JSON number where the integer part belongs (a bigint does not survive one)', () => {
    expect(() => decodeCursor(Buffer.from('[42]').toString('base64url'), ['integer'])).toThrow(ValidationProblem);
    // And a key of another shape: a time and id where an integer belongs, an integer where a time and id do.
    expect(() => decodeCursor(encodeCursor([time, id]), ['integer'])).toThrow(ValidationProblem);
    expect(() => decodeCursor(encodeCursor(['42']), ['timestamp', 'uuid'])).toThrow(ValidationProblem);
  });

  it('pages limit + 1 rows: the extra row only says another page exists', () => {
    const rows = [1, 2, 3].map((n) => ({ n, key: [`t${n}`] }));
    expect(toPage(rows, 2, (row) => row.key, (row) => row.n)).toEqual({ items: [1, 2], nextCursor: encodeCursor(['t2']) });
    expect(toPage(rows, 3, (row) => row.key, (row) => row.n)).toEqual({ items: [1, 2, 3], nextCursor: null });
    expect(toPage([], 3, () => [], (row) => row)).toEqual({ items: [], nextCursor: null });
  });
});
