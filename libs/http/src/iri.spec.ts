import { iriToUri } from './iri.js';

describe('iriToUri', () => {
  it.each([
    ['https://例え.jp/', 'https://xn--r8jz45g.jp/'],
    ['https://example.com/ü?q=café#größe', 'https://example.com/%C3%BC?q=caf%C3%A9#gr%C3%B6%C3%9Fe'],
    ['HTTPS://EXAMPLE.COM/A', 'https://EXAMPLE.COM/A'],
    ['https://user:pw@bücher.example:8443/x', 'https://user:pw@xn--bcher-kva.example:8443/x'],
    ['https://english.news.cn/', 'https://english.news.cn/'],
  ])('%s is %s', (iri, uri) => {
    expect(iriToUri(iri)).toBe(uri);
  });

  it.each(['https://example.com/%zz', 'https://example.com/a b', 'https://example.com/{x}', 'javascript:alert(1)', 'not a url', ''])(
    'leaves %j as it is, for validation to judge',
    (value) => {
      expect(iriToUri(value)).toBe(value);
    },
  );

  it('leaves what it cannot convert, and what is not a string', () => {
    expect(iriToUri('https://example.com/\uD800')).toBe('https://example.com/\uD800');
    expect(iriToUri(42)).toBe(42);
    expect(iriToUri(null)).toBeNull();
  });
});
