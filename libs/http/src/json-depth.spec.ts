import { nestsDeeperThan } from './json-depth.js';

const nestedArrays = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
const nestedObjects = (depth: number): unknown => JSON.parse('{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1));

describe('nestsDeeperThan', () => {
  it.each([null, 1, 'text', true])('finds no nesting in the scalar %p', (value) => {
    expect(nestsDeeperThan(value, 0)).toBe(false);
  });

  it('counts an empty object or array as one level', () => {
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan([], 0)).toBe(true);
  });

  it('counts the deepest branch, of arrays and objects alike', () => {
    const body = { headline: 'h', tags: ['a', 'b'], sources: [{ url: 'u' }] };
    expect(nestsDeeperThan(body, 3)).toBe(false);
    expect(nestsDeeperThan(body, 2)).toBe(true);
    expect(nestsDeeperThan(nestedArrays(32), 32)).toBe(false);
    expect(nestsDeeperThan(nestedArrays(33), 32)).toBe(true);
    expect(nestsDeeperThan(nestedObjects(33), 32)).toBe(true);
  });

  it('walks a body far deeper than the stack would allow a recursive walk', () => {
    expect(nestsDeeperThan(nestedArrays(200_000), 32)).toBe(true);
    expect(nestsDeeperThan({ kind: nestedArrays(100_000) }, 32)).toBe(true);
  });
});
