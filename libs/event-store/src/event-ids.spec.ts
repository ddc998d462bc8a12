import { validate, version } from 'uuid';
import { newEventId } from './event-ids.js';

/** The 48-bit millisecond timestamp at the front of a UUID v7. */
const millisecondsOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newEventId', () => {
  it('gives valid, distinct UUID v7s across many refills of the random pool', () => {
    const before = Date.now();
    const ids = Array.from({ length: 10_000 }, () => newEventId());
    const after = Date.now();

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(validate(id) && version(id)).toBe(7);
      expect(millisecondsOf(id)).toBeGreaterThanOrEqual(before);
      expect(millisecondsOf(id)).toBeLessThanOrEqual(after);
    }
  });
});
