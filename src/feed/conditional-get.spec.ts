import { etagOf, isNotModified } from './conditional-get.js';

describe('conditional GET', () => {
  const etag = etagOf('body');
  const lastModified = new Date('2025-11-24T09:30:15.750Z');

  it('makes a strong ETag that changes with the body only', () => {
    expect(etag).toMatch(/^"[\w-]{32}"$/);
    expect(etagOf('body')).toBe(etag);
    expect(etagOf('body!')).not.toBe(etag);
  });

  it('matches If-None-Match by (weak) comparison, in lists and with *', () => {
    expect(isNotModified({ 'if-none-match': etag }, etag, lastModified)).toBe(true);
    expect(isNotModified({ 'if-none-match': `W/${etag}` }, etag, lastModified)).toBe(true);
    expect(isNotModified({ 'if-none-match': `"other", ${etag}` }, etag, lastModified)).toBe(true);
    expect(isNotModified({ 'if-none-match': '*' }, etag, lastModified)).toBe(true);
    expect(isNotModified({ 'if-none-match': '"other"' }, etag, lastModified)).toBe(false);
  });

  it('compares If-Modified-Since at whole seconds, and ignores it when If-None-Match is present', () => {
    const sameSecond = 'Mon, 24 Nov 2025 09:30:15 GMT';
    expect(isNotModified({ 'if-modified-since': sameSecond }, etag, lastModified)).toBe(true);
    expect(isNotModified({ 'if-modified-since': 'Mon, 24 Nov 2025 09:30:14 GMT' }, etag, lastModified)).toBe(false);
    expect(isNotModified({ 'if-modified-since': 'yesterday' }, etag, lastModified)).toBe(false);
    expect(isNotModified({ 'if-modified-since': sameSecond }, etag, null)).toBe(false);
    expect(isNotModified({ 'if-none-match': '"other"', 'if-modified-since': sameSecond }, etag, lastModified)).toBe(false);
  });

  it('takes If-Modified-Since only as an HTTP-date (the obsolete forms too), never as any date Date.parse reads', () => {
    expect(isNotModified({ 'if-modified-since': 'Monday, 24-Nov-25 09:30:15 GMT' }, etag, lastModified)).toBe(true);
    expect(isNotModified({ 'if-modified-since': 'Mon Nov 24 09:30:15 2025' }, etag, lastModified)).toBe(true);
    for (const notAnHttpDate of ['2099', '2099-01-01', '2099-01-01T00:00:00Z', 'Mon, 24 Nov 2099 09:30:15 +0000']) {
      expect({ notAnHttpDate, notModified: isNotModified({ 'if-modified-since': notAnHttpDate }, etag, lastModified) }).toEqual({ notAnHttpDate, notModified: false });
    }
  });
});
