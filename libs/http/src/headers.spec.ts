import { assertVersionMatches, parseIfMatch } from './headers.js';
import { PreconditionFailedProblem, ValidationProblem } from './problem-details.js';

describe('parseIfMatch', () => {
  it('is undefined (any version) when absent or *', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
    expect(parseIfMatch(' * ')).toBeUndefined();
  });

  it.each([
    ['"3"', [3]],
    ['"0"', [0]],
    ['"3", "4"', [3, 4]],
    ['"3","4"', [3, 4]],
    // Strong comparison: a weak tag, or a tag we never give, matches no version.
    ['W/"3"', []],
    ['"03"', []],
    ['"abc"', []],
    ['""', []],
    ['W/"3", "4"', [4]],
    ['"3",', [3]],
    [', "3" ,, "4"', [3, 4]],
    // A comma may be part of a tag.
    ['"a,b"', []],
    ['"3", "a,b"', [3]],
  ])('reads %s as the versions %j', (header, versions) => {
    expect(parseIfMatch(header)).toEqual(versions);
  });

  it('reads a header sent several times as one list', () => {
    expect(parseIfMatch(['"3"', '"5"'])).toEqual([3, 5]);
  });

  it.each(['3', 'version 1', '"3',  '"3"x', ',', "'; DROP TABLE events; --", '"a b"', '*, "3"'])(
    'refuses %s with a 400 on If-Match',
    (header) => {
      expect(() => parseIfMatch(header)).toThrow(ValidationProblem);
    },
  );
});

describe('assertVersionMatches', () => {
  it('passes when If-Match is absent or names the current version', () => {
    expect(() => assertVersionMatches(undefined, 7)).not.toThrow();
    expect(() => assertVersionMatches([6, 7], 7)).not.toThrow();
  });

  it('is a 412 naming the current version otherwise', () => {
    expect(() => assertVersionMatches([5], 7)).toThrow(PreconditionFailedProblem);
    expect(() => assertVersionMatches([], 7)).toThrow('The article is at version 7, If-Match names no version of it.');
    expect(() => assertVersionMatches([4, 5], 7)).toThrow('The article is at version 7, not 4 or 5.');
  });
});
