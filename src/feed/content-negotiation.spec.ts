import { prefersHtml } from './content-negotiation.js';

describe('prefersHtml', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8', true],
    ['text/html', true],
    ['text/*', true],
    ['application/json, text/html;q=0.9', false],
    ['text/html;q=0.5, application/json', false],
    // A tie: the client's own order decides.
    ['text/html, application/json', true],
    ['application/json, text/html', false],
    ['application/xhtml+xml', false],
    ['application/json', false],
    ['*/*', false],
    ['', false],
    [undefined, false],
  ])('%s -> %s', (accept, html) => {
    expect(prefersHtml(accept)).toBe(html);
  });
});
