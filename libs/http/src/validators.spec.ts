import { validateSync } from 'class-validator';
import { isStorableText, IsText } from './validators.js';

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

  it.each([
    ['empty', ''],
    ['spaces', '   '],
    ['zero-width characters', '\u200b\u2060\ufeff'],
    ['a Hangul filler', '\u3164'],
    ['the blank Braille pattern', '\u2800 \u2800'],
  ])('calls %s blank', (_, title) => {
    expect(problemsOf(title)).toContain('title must not be blank');
  });
});
