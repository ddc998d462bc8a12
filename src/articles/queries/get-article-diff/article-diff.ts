import { diffWordsWithSpace, type Change } from 'diff';
import type { ArticleContent } from '#libs/contracts';

/** A run of text that both versions share, or that only the newer (`added`) or older (`removed`) one has. */
export interface TextChange {
  value: string;
  added?: true;
  removed?: true;
}

/** Null when the field did not change between the two versions. */
export type FieldDiff = TextChange[] | null;

export interface ContentDiff {
  headline: FieldDiff;
  standfirst: FieldDiff;
  body: FieldDiff;
}

/**
 * Past this many word edits the body diff is given up for "all of it replaced": a word diff
 * costs time in proportion to length × edits, and one of a rewritten story helps nobody.
 * (200,000 characters at this bound take about a third of a second.)
 */
export const BODY_MAX_WORD_EDITS = 1000;

const toTextChange = ({ value, added, removed }: Change): TextChange => ({
  value,
  ...(added ? { added: true as const } : {}),
  ...(removed ? { removed: true as const } : {}),
});

/**
 * A word diff in which whitespace counts too, so that the unremoved runs spell the newer text
 * exactly and the unadded runs the older one.
 */
const diffText = (before: string, after: string): FieldDiff =>
  before === after ? null : diffWordsWithSpace(before, after).map(toTextChange);

/** As diffText, bounded: past BODY_MAX_WORD_EDITS the whole older body is removed and the newer added. */
function diffBody(before: string, after: string): FieldDiff {
  if (before === after) return null;
  const changes = diffWordsWithSpace(before, after, { maxEditLength: BODY_MAX_WORD_EDITS });
  return changes === undefined
    ? [
        { value: before, removed: true },
        { value: after, added: true },
      ]
    : changes.map(toTextChange);
}

/** What changed in the text of an article between two versions; a missing standfirst counts as empty. */
export const diffContent = (before: ArticleContent, after: ArticleContent): ContentDiff => ({
  headline: diffText(before.headline, after.headline),
  standfirst: diffText(before.standfirst ?? '', after.standfirst ?? ''),
  body: diffBody(before.body, after.body),
});
