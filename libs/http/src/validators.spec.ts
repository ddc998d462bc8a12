import { validateSync } from 'class-validator';
import { isPublicLink, isStorableText, IsText } from './validators.js';

class Titled {
  @IsText(100)
  title!: unknown;
}

const problemsOf = (title: unknown): string[] => {
  const titled = Object.assign(new Titled(), { title });
  return validateSync(titled).flatMap((error) => Object.values(error.constraints ?? {}));
};

describe('isStorableText', () => {
  it('takes text with tabs, line breaks, separators and any script', () => {
    expect(isStorableText('Line one\r\nline two\tand a tab, Zürich, 東京, 😀, \u2028')).toBe(true);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a C0 control', 'bell\u0007'],
    ['escape', '\u001b[31m'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u009bb'],
    ['U+FFFE', 'a\ufffeb'],
    ['a lone surrogate', 'a\ud800b'],
  ])('refuses %s', (_, text) => {
    expect(isStorableText(text)).toBe(false);
  });
});

describe('IsText', () => {
  it('takes text that shows something', () => {
    expect(problemsOf('A headline')).toEqual([]);
  });

  it('takes letters with combining marks, and scripts written with them', () => {
    expect(problemsOf('Cafe\u0301 society')).toEqual([]);
    expect(problemsOf('संसद ने बजट को मंजूरी दी')).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['spaces', '   '],
    ['zero-width characters', '\u200b\u2060\ufeff'],
    ['a Hangul filler', '\u3164'],
    ['the blank Braille pattern', '\u2800 \u2800'],
    ['marks with no letter (variation selectors, grapheme joiner, Mongolian selectors)', '\u034f\ufe0f\ufe00\u{e0100}\u17b4\u180b'],
  ])('calls %s blank', (_, title) => {
    expect(problemsOf(title)).toContain('title must not be blank');
  });
});

describe('isPublicLink', () => {
  it.each(['https://english.news.cn/', 'http://8.8.8.8/dns', 'https://[2001:4860:4860::8888]/', 'https://localhost.example/'])('takes %s', (link) => {
    expect(isPublicLink(link)).toBe(true);
  });

  it.each([
    ['a user name and password', 'https://user:secret@example.com/'],
    ['a user name alone', 'https://user@example.com/'],
    ['loopback', 'http://127.0.0.1:3000/admin'],
    ['loopback written in hex', 'http://0x7f.1/'],
    ['a private network', 'http://192.168.1.10/'],
    ['link-local (cloud metadata)', 'http://169.254.169.254/latest'],
    ['IPv6 loopback', 'http://[::1]/'],
    ['IPv4 loopback mapped into IPv6', 'http://[::ffff:127.0.0.1]/'],
    ['localhost', 'http://localhost:8080/'],
    ['a name under localhost (RFC 6761: the same machine)', 'http://foo.localhost/'],
    ['a name under localhost, fully qualified', 'http://foo.LOCALHOST./'],
    ['no URL at all', 'not a url'],
  ])('refuses %s', (_, link) => {
    expect(isPublicLink(link)).toBe(false);
  });
});
