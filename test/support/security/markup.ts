/**
 * Just enough HTML tokenizing to tell markup the service wrote from markup a payload smuggled in.
 * The renderers escape every `<` of text, so any tag in their output is one they meant to write:
 * listing the tags and their attributes is enough to find an injected element or handler.
 */

export interface Tag {
  name: string;
  closing: boolean;
  attributes: Record<string, string>;
  /** For <script> and <style>: the raw text up to the closing tag. */
  rawText?: string;
}

export interface Markup {
  tags: Tag[];
  /** `<` that opens no tag, comment or declaration: text the renderer failed to escape. */
  strayLessThans: number;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** HTML/XML character references to text (the named ones the renderers use, and numeric ones). */
export const decodeEntities = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });

const ATTRIBUTE = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/y;

export function scanMarkup(html: string): Markup {
  const tags: Tag[] = [];
  let strayLessThans = 0;
  let at = 0;
  while ((at = html.indexOf('<', at)) !== -1) {
    if (html.startsWith('<!--', at)) {
      const end = html.indexOf('-->', at + 4);
      at = end === -1 ? html.length : end + 3;
      continue;
    }
    if (html[at + 1] === '!' || html[at + 1] === '?') {
      const end = html.indexOf('>', at);
      at = end === -1 ? html.length : end + 1;
      continue;
    }
    const closing = html[at + 1] === '/';
    const nameMatch = /^[a-zA-Z][a-zA-Z0-9:-]*/.exec(html.slice(at + (closing ? 2 : 1)));
    if (!nameMatch) {
      strayLessThans++;
      at++;
      continue;
    }
    const name = nameMatch[0].toLowerCase();
    let cursor = at + (closing ? 2 : 1) + nameMatch[0].length;
    const attributes: Record<string, string> = {};
    for (;;) {
      while (/[\s\/]/.test(html[cursor] ?? '')) cursor++;
      if (cursor >= html.length || html[cursor] === '>') break;
      ATTRIBUTE.lastIndex = cursor;
      const attribute = ATTRIBUTE.exec(html);
      if (!attribute) {
        cursor++;
        continue;
      }
      attributes[attribute[1].toLowerCase()] = decodeEntities(attribute[2] ?? attribute[3] ?? attribute[4] ?? '');
      cursor = ATTRIBUTE.lastIndex;
    }
    const tag: Tag = { name, closing, attributes };
    at = cursor + 1;
    if (!closing && (name === 'script' || name === 'style')) {
      const end = html.toLowerCase().indexOf(`</${name}`, at);
      tag.rawText = html.slice(at, end === -1 ? html.length : end);
      at = end === -1 ? html.length : end;
    }
    tags.push(tag);
  }
  return { tags, strayLessThans };
}

/** What the story renderers write (page and feed content); anything else was injected. */
export const RENDERED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'link', 'script', 'body', 'article', 'h1', 'h2', 'p', 'strong', 'time', 'section', 'ul', 'li', 'span', 'br',
  // The fact checks: the claim quoted, its sources linked.
  'blockquote', 'a',
]);

/**
 * The problems that would make the HTML run or load something: tags outside the renderer's
 * vocabulary, event handler attributes, script URLs, scripts other than JSON-LD data blocks, and
 * unescaped `<`. Empty when the HTML is inert.
 */
export function activeContentIn(html: string, allowedTags: ReadonlySet<string> = RENDERED_TAGS): string[] {
  const { tags, strayLessThans } = scanMarkup(html);
  const problems: string[] = [];
  if (strayLessThans > 0) problems.push(`${strayLessThans} unescaped "<" in text`);
  for (const tag of tags) {
    if (!allowedTags.has(tag.name)) problems.push(`unexpected <${tag.closing ? '/' : ''}${tag.name}>`);
    for (const [attribute, value] of Object.entries(tag.attributes)) {
      if (attribute.startsWith('on')) problems.push(`event handler ${attribute} on <${tag.name}>`);
      if (/^\s*(javascript|vbscript|data):/i.test(value)) problems.push(`script URL in ${attribute} of <${tag.name}>`);
    }
    if (tag.name === 'a' && !tag.closing && !/^https?:\/\//.test(tag.attributes.href ?? '')) {
      problems.push(`link to ${tag.attributes.href ?? '(nothing)'}: only http(s) sources are linked`);
    }
    if (tag.name === 'script' && !tag.closing && tag.attributes.type !== 'application/ld+json') {
      problems.push(`<script> of type ${tag.attributes.type ?? '(none)'}`);
    }
  }
  return problems;
}

/** The decoded text between the first `<name ...>` and its `</name>` (no nested same-name elements). */
export function textOf(html: string, name: string): string | undefined {
  const match = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'i').exec(html);
  return match ? decodeEntities(match[1].replace(/<[^>]*>/g, '')) : undefined;
}
