import { paragraphsHtml } from './html.js';

describe('paragraphsHtml', () => {
  it('makes a paragraph of each run of lines between blank lines, and a <br> of each single break', () => {
    expect(paragraphsHtml('One\ntwo\n\nThree <b>')).toBe('<p>One<br>two</p>\n<p>Three &lt;b&gt;</p>');
  });

  it('takes CRLF and a lone CR as line breaks too', () => {
    expect(paragraphsHtml('line1\r\nline2\rline3\r\n\r\nNext')).toBe('<p>line1<br>line2<br>line3</p>\n<p>Next</p>');
  });
});
