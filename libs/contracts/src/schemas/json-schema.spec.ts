import { isUuid } from './json-schema.js';

describe('isUuid', () => {
  const id = '0192f3a4-5b6c-7d8e-9f00-112233445566';

  it('recognises a UUID in either letter case and nothing else', () => {
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(true);
    expect(isUuid(`article-${id}`)).toBe(false);
    expect(isUuid(id.slice(1))).toBe(false);
    expect(isUuid('')).toBe(false);
  });
});
