interface MediaRange {
  type: string;
  quality: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept.split(',').flatMap((part) => {
    const [type, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!type) return [];
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return Number.isNaN(quality) ? [] : [{ type, quality }];
  });
}

/** The quality the client gives a media type: from its most specific matching range, 0 if none. */
function qualityOf(ranges: readonly MediaRange[], mediaType: string): number {
  const [major] = mediaType.split('/');
  const match =
    ranges.find((range) => range.type === mediaType) ??
    ranges.find((range) => range.type === `${major}/*`) ??
    ranges.find((range) => range.type === '*/*');
  return match?.quality ?? 0;
}

/**
 * Whether to answer HTML rather than JSON: when the client rates text/html above application/json
 * (browsers do, through their lower-rated wildcard), or rates them equally but names only
 * text/html. No Accept header, a bare wildcard, and other ties get JSON.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const ranges = parseAccept(accept);
  const html = qualityOf(ranges, 'text/html');
  const json = qualityOf(ranges, 'application/json');
  if (html !== json) return html > json;
  return html > 0 && ranges.some((range) => range.type === 'text/html') && !ranges.some((range) => range.type === 'application/json');
}
