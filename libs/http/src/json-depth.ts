/**
 * How deep a request body's arrays and objects may nest. The contract's bodies nest two levels;
 * class-transformer walks a body recursively before validation, and a few kilobytes of `[[[...]]]`
 * would exhaust the stack (a 500) if they reached it.
 */
export const MAX_JSON_DEPTH = 32;

/** Whether a parsed JSON value nests arrays and objects deeper than `limit` levels; `{}` is one level. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  // Iterative on purpose: a recursive walk would meet the very stack limit it guards against.
  const pending: { value: object; depth: number }[] = [];
  if (isContainer(value)) pending.push({ value, depth: 1 });
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value)) {
      if (isContainer(child)) pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  return false;
}

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;
