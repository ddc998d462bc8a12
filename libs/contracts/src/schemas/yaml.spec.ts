import { Parser } from '@asyncapi/parser';
import { toYaml } from './yaml.js';

/**
 * Reads YAML back with the parser the AsyncAPI spec uses: every case goes into one document as an
 * `x-` extension (which may hold anything), parsed once.
 */
async function readBack(values: readonly unknown[]): Promise<unknown[]> {
  const extensions = Object.fromEntries(values.map((value, index) => [`x-case-${index}`, value]));
  const output = await new Parser().parse(toYaml({ asyncapi: '3.0.0', info: { title: 't', version: '1', ...extensions } }));
  const info = (output.extras?.document as { data?: { info?: Record<string, unknown> } } | undefined)?.data?.info ?? {};
  return values.map((_, index) => info[`x-case-${index}`]);
}

const CASES: [string, unknown][] = [
  ['plain words', 'Newsroom events'],
  ['text YAML would read as other types', ['true', 'no', 'null', '~', '1.0', '3.0.0', '42', '-1', '0x1F', '1e3', '']],
  ['indicators and comments', ['- item', ': colon', 'key: value', 'a #comment', '#/components/schemas/X', '*alias', '&anchor', '!tag', '%directive', '@at', '`tick', "'quoted'", '"double"', '{a}', '[b]', '|', '>', '?']],
  ['regular expressions', ['^https?://', '\\S', '^[a-z0-9]+(-[a-z0-9]+)*$']],
  ['multi-line text', ['first line\nsecond line', 'ends with a newline\n', 'blank line\n\nbetween', ' leading space\nthen more', 'trailing space \nhere', 'two newlines\n\n', 'tab\tinside\nx']],
  ['unicode and escapes', ['Xi Jinping 习近平', 'quote " and backslash \\', 'bell \u0007', 'emoji 📰']],
  ['numbers, booleans and null', [0, 5, -1, 1.5, true, false, null]],
  ['keys that need quoting', { 'content-type': 1, 'x: y': 2, '1.0': 3, true: 4, '': 5, ce_type: 6, $id: 7 }],
  ['nesting and empties', { list: [[1, [2]], { a: [] }, {}], empty: {}, nested: [{ a: 1, b: { c: ['x', { d: null }] } }] }],
];

describe('toYaml', () => {
  let readBackValues: unknown[];
  beforeAll(async () => {
    readBackValues = await readBack(CASES.map(([, value]) => value));
  });

  it.each(CASES.map(([name, value], index) => ({ name, value, index })))('writes $name so that they read back the same', ({ value, index }) => {
    expect(readBackValues[index]).toEqual(value);
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => toYaml({ n: Number.NaN })).toThrow(/NaN/);
    expect(() => toYaml({ f: () => 1 })).toThrow(/function/);
  });
});
