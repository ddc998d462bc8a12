import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * The README tells a downstream team to copy libs/contracts, libs/kafka and libs/subscriber and to
 * install kafkajs, ajv and ajv-formats. This holds it to that: every module the subscriber loads,
 * followed import by import from its index, is in those three libraries, one of those packages or
 * Node's own; no event store, database or relay.
 */
const LIBRARIES = ['contracts', 'kafka', 'subscriber'];
const PACKAGES = ['kafkajs', 'ajv', 'ajv-formats'];

const root = new URL('../../..', import.meta.url).pathname;

/** Static imports and re-exports (not type-only ones), side-effect imports, and dynamic import()s. */
const importsOf = (file: string): string[] => {
  const source = readFileSync(file, 'utf8');
  return [
    ...source.matchAll(/^(?:import|export)\b(?!\s+type\b)[^;]*?\bfrom '([^']+)'/gms),
    ...source.matchAll(/^import '([^']+)'/gm),
    ...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ].map((match) => match[1]);
};

const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Every file loaded from `entry` on, and every import that leaves the files. */
function loadedFrom(entry: string): { files: Set<string>; outside: string[] } {
  const files = new Set<string>();
  const outside: string[] = [];
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) pending.push(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (specifier.startsWith('#libs/')) {
        const library = specifier.slice('#libs/'.length);
        if (LIBRARIES.includes(library)) pending.push(join(root, 'libs', library, 'src', 'index.ts'));
        else outside.push(`${relative(root, file)}: ${specifier}`);
      } else if (!specifier.startsWith('node:') && !PACKAGES.includes(packageOf(specifier))) {
        outside.push(`${relative(root, file)}: ${specifier}`);
      }
    }
  }
  return { files, outside };
}

describe('the subscriber library', () => {
  const { files, outside } = loadedFrom(join(root, 'libs', 'subscriber', 'src', 'index.ts'));

  it('loads nothing but libs/contracts, libs/kafka, itself, kafkajs, ajv, ajv-formats and Node', () => {
    expect(outside).toEqual([]);
  });

  it('follows the imports into all three libraries', () => {
    const libraries = new Set([...files].map((file) => relative(join(root, 'libs'), file).split('/')[0]));
    expect([...libraries].sort()).toEqual(LIBRARIES);
  });
});
