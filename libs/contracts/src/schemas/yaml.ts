/**
 * Writes JSON data (objects, arrays, strings, numbers, booleans, null) as block-style YAML 1.2,
 * deterministically: the same data always gives the same text, which is what lets a spec compare
 * the committed asyncapi.yaml with a fresh rendering. Strings that could be read as anything else
 * are double-quoted in JSON syntax (valid YAML); multi-line strings become literal blocks.
 */
export function toYaml(value: unknown): string {
  return `${render(value, 0).replace(/^\n/, '')}\n`;
}

const INDENT = '  ';

/** Text YAML reads back as the same string when written bare: no indicators, no numbers, no booleans. */
const PLAIN_SAFE = /^[A-Za-z_/$][A-Za-z0-9 _.,/()$'`-]*$/;
const RESERVED_WORDS = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

function render(value: unknown, depth: number): string {
  if (Array.isArray(value)) return renderArray(value, depth);
  if (value !== null && typeof value === 'object') return renderObject(value as Record<string, unknown>, depth);
  return ` ${renderScalar(value, depth)}`;
}

function renderObject(object: Record<string, unknown>, depth: number): string {
  const entries = Object.entries(object).filter(([, value]) => value !== undefined);
  if (entries.length === 0) return ' {}';
  const indent = INDENT.repeat(depth);
  return entries.map(([key, value]) => `\n${indent}${renderKey(key)}:${render(value, depth + 1)}`).join('');
}

function renderArray(array: readonly unknown[], depth: number): string {
  if (array.length === 0) return ' []';
  const indent = INDENT.repeat(depth);
  return array
    .map((item) => {
      // An object item starts on the dash line: "- key: value", its other keys aligned under the first.
      const rendered = render(item, depth + 1);
      return `\n${indent}-${rendered.startsWith('\n') ? ` ${rendered.slice(1 + INDENT.length * (depth + 1))}` : rendered}`;
    })
    .join('');
}

function renderKey(key: string): string {
  return PLAIN_SAFE.test(key) && !RESERVED_WORDS.test(key) && !key.endsWith(' ') ? key : JSON.stringify(key);
}

function renderScalar(value: unknown, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (typeof value !== 'string') throw new Error(`cannot write a ${typeof value} as YAML`);
  if (isBlockable(value)) {
    const indent = INDENT.repeat(depth);
    const body = value.endsWith('\n') ? value.slice(0, -1) : value;
    const lines = body.split('\n').map((line) => (line === '' ? '' : `${indent}${line}`));
    return `${value.endsWith('\n') ? '|' : '|-'}\n${lines.join('\n')}`;
  }
  return PLAIN_SAFE.test(value) && !RESERVED_WORDS.test(value) && !value.endsWith(' ') ? value : JSON.stringify(value);
}

/** Multi-line text that a literal block keeps exactly: no CR, no leading space, at most one final newline. */
function isBlockable(value: string): boolean {
  return value.includes('\n') && !value.includes('\r') && !/^[ \t\n]/.test(value) && !value.endsWith('\n\n') && !/[ \t]$/m.test(value);
}
