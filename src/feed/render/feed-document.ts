import { Feed, type Extension, type Item } from 'feed';
import { OPENAPI_JSON_PATH } from '../../openapi/openapi.js';
import type { PublicArticle } from '../public-article.js';
import { PUBLISHER_NAME } from './claim-review.js';
import { escapeHtml } from './html.js';
import { storyHtml } from './story-html.js';

export type FeedFormat = 'json' | 'rss' | 'atom';

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  json: 'application/feed+json; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
};

const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';
const NEWSROOM_NAMESPACE = 'https://newsroom.dev/ns/feed';
/** A JSON pointer into the OpenAPI document, to the schema of the `_newsroom` extension. */
const JSON_FEED_EXTENSION_DOCS = `/${OPENAPI_JSON_PATH}#/components/schemas/JsonFeedNewsroomSchema`;

// Characters XML 1.0 does not allow at all, not even escaped. Input refuses them (isStorableText),
// but events stored before it did may carry them.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const xmlText = (text: string): string => text.replace(XML_INVALID, '');

/**
 * An item's id is the article's id as a URN: unlike the URL or the headline it can never change,
 * whatever happens to the story or to the service's address.
 */
export const feedItemId = (articleId: string): string => `urn:uuid:${articleId}`;

export interface FeedDocumentContext {
  publicBaseUrl: string;
  /** The feed's last change; also the document's own updated time, so equal feeds render equal bytes. */
  lastModified: Date | null;
}

/**
 * The feed as JSON Feed 1.1, RSS 2.0 or Atom 1.0, built with the `feed` library.
 *
 * Titles are plain text in JSON Feed and RSS but HTML in Atom (type="html"), so Atom gets them
 * HTML-escaped; summaries are HTML in both XML formats. Content is HTML built from escaped text in
 * every format, so a `<script>` in a story arrives as text. Corrections are part of the content,
 * and each one moves the item's updated time.
 */
export function renderFeed(format: FeedFormat, articles: readonly PublicArticle[], context: FeedDocumentContext): string {
  const { publicBaseUrl } = context;
  const feed = new Feed({
    title: PUBLISHER_NAME,
    description: `Stories published by ${PUBLISHER_NAME}`,
    id: `${publicBaseUrl}/feed`,
    link: publicBaseUrl,
    language: 'en',
    // Never "now": the same feed must render the same bytes, or its ETag would change on every request.
    updated: context.lastModified ?? new Date(0),
    generator: false,
    feedLinks: { json: `${publicBaseUrl}/feed.json`, rss: `${publicBaseUrl}/feed.rss`, atom: `${publicBaseUrl}/feed.atom` },
    author: { name: PUBLISHER_NAME, link: publicBaseUrl },
  });
  for (const article of articles) feed.addItem(feedItem(format, article, publicBaseUrl));

  switch (format) {
    case 'json':
      return toJsonFeed11(feed.json1(), articles);
    case 'rss':
      return feed.rss2();
    case 'atom':
      return withAtomExtras(feed.atom1(), articles);
  }
}

function feedItem(format: FeedFormat, article: PublicArticle, publicBaseUrl: string): Item {
  const text = format === 'json' ? (value: string) => value : (value: string) => escapeHtml(xmlText(value));
  // xml-js (inside `feed`) turns an "&amp;" it is given back into "&" before escaping, so a literal
  // "&amp;" in a name would lose a level: escape "&" first, so that it arrives as "&amp;amp;".
  const name = format === 'json' ? (value: string) => value : (value: string) => xmlText(value).replace(/&/g, '&amp;');
  const html = format === 'json' ? (value: string) => value : xmlText;
  return {
    id: feedItemId(article.id),
    link: article.url,
    title: text(article.headline),
    ...(article.standfirst === null ? {} : { description: text(article.standfirst) }),
    content: html(storyHtml(article)),
    date: new Date(article.updatedAt),
    published: new Date(article.publishedAt),
    // RSS 2.0's <author> is an email address: there the bylines go in dc:creator (extensionsOf).
    ...(format === 'rss' ? {} : { author: article.authors.map((author) => ({ name: name(author.name) })) }),
    // The library leaves "<" unescaped in Atom's category attributes: withAtomExtras writes them there.
    ...(format === 'atom' ? {} : { category: article.tags.map((tag) => ({ name: name(tag) })) }),
    extensions: extensionsOf(format, article, name, publicBaseUrl),
  };
}

/**
 * Reaction counts (and, in JSON Feed, the structured corrections; in RSS, the plain-text title and
 * the updated time) as each format's extension data.
 */
function extensionsOf(format: FeedFormat, article: PublicArticle, name: (value: string) => string, publicBaseUrl: string): Extension[] {
  switch (format) {
    case 'json': {
      // JSON Feed asks a custom object to say, in `about`, where it is described: the OpenAPI document.
      const about = `${publicBaseUrl}${JSON_FEED_EXTENSION_DOCS}`;
      return [{ name: '_newsroom', objects: { about, slug: article.slug, reactions: article.reactions, corrections: article.corrections } }];
    }
    case 'rss':
      return [
        // An RSS title is plain text (RSS Board's profile), unlike Atom's type="html" one: this
        // element takes the place of the library's, so that a reader shows "&" and not "&amp;".
        { name: 'title', objects: { _text: name(article.headline) } },
        // RSS 2.0 items have no updated time of their own (pubDate is the publication): Atom's
        // element says when a correction or revision last changed the story.
        { name: 'atom:updated', objects: { _text: article.updatedAt } },
        // An array becomes one element per entry (xml-js); the library's type allows one object.
        { name: 'dc:creator', objects: article.authors.map((author) => ({ _text: name(author.name) })) as unknown as Record<string, unknown> },
        { name: REACTIONS_ELEMENT, objects: { _attributes: reactionsAttributes(article) } },
      ];
    case 'atom':
      return []; // the library drops them: withAtomExtras adds them instead
  }
}

const REACTIONS_ELEMENT = 'newsroom:reactions';
const reactionsAttributes = (article: PublicArticle): Record<string, string | number> => ({
  'xmlns:newsroom': NEWSROOM_NAMESPACE,
  ...article.reactions,
});

/**
 * What the library's atom1() leaves out, written just before each entry's end tag: the story's
 * tags as categories (escaped here), and the reaction counts RSS items carry. Every text in an
 * entry is escaped, so "</entry>" only ever ends an entry.
 */
function withAtomExtras(atom: string, articles: readonly PublicArticle[]): string {
  let index = 0;
  return atom.replace(/<\/entry>/g, (end) => {
    const article = articles[index++];
    const categories = article.tags.map((tag) => `    <category term="${escapeHtml(xmlText(tag))}"/>\n`).join('');
    const attributes = Object.entries(reactionsAttributes(article))
      .map(([name, value]) => ` ${name}="${escapeHtml(String(value))}"`)
      .join('');
    return `${categories}    <${REACTIONS_ELEMENT}${attributes}/>\n    ${end}`;
  });
}

/**
 * The library writes JSON Feed 1.0; 1.1 differs for us in the version and in `authors` (a list)
 * replacing `author`, so every author of a story is credited.
 */
function toJsonFeed11(json1: string, articles: readonly PublicArticle[]): string {
  const { author, items, ...feed } = JSON.parse(json1) as { author?: unknown; items: Record<string, unknown>[] };
  return JSON.stringify({
    ...feed,
    version: JSON_FEED_VERSION,
    language: 'en',
    authors: author === undefined ? [] : [author],
    items: items.map(({ author: _firstAuthorOnly, ...item }, index) => ({ ...item, authors: articles[index].authors })),
  });
}
