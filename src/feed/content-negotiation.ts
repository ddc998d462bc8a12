import Negotiator from 'negotiator';

/** The media types a public story comes in, JSON first: it answers a tie, `*\/*` and no Accept at all. */
const STORY_MEDIA_TYPES = ['application/json', 'text/html'];

/**
 * Whether to answer HTML rather than JSON: the client's Accept header (quality, then specificity,
 * then its own order) prefers text/html. Browsers do, through their lower-rated wildcard; a client
 * that sends nothing, or `*\/*`, gets JSON.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return new Negotiator({ headers: { accept } }).mediaType(STORY_MEDIA_TYPES) === 'text/html';
}
