import { diffWordsWithSpace, wordsWithSpaceDiff, type Change } from 'diff';
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

/**
 * As diffText, bounded: past BODY_MAX_WORD_EDITS the whole older body is removed and the newer
 * added. Run in the library's asynchronous mode, one edit distance per turn of the event loop: a
 * long body's diff takes a few hundred milliseconds of CPU, which would otherwise stall every
 * other request of the process (the public feed's readers too) for as long.
 */
function diffBody(before: string, after: string): Promise<FieldDiff> {
  if (before === after) return Promise.resolve(null);
  const replaced: FieldDiff = [
    { value: before, removed: true },
    { value: after, added: true },
  ];
  // A rewrite is known for one at once, without the word diff's hundreds of turns.
  if (wordEditsAtLeast(before, after) > BODY_MAX_WORD_EDITS) return Promise.resolve(replaced);
  return new Promise((resolve) => {
    diffWordsWithSpace(before, after, {
      maxEditLength: BODY_MAX_WORD_EDITS,
      callback: (changes) => resolve(changes === undefined ? replaced : changes.map(toTextChange)),
    });
  });
}

/**
 * A lower bound of the word diff's edits (words and spaces added or removed): every word one text
 * holds more often than the other must be added or removed at least that many times over.
 */
function wordEditsAtLeast(before: string, after: string): number {
  const surplus = new Map<string, number>();
  for (const word of wordsWithSpaceDiff.tokenize(before)) surplus.set(word, (surplus.get(word) ?? 0) + 1);
  for (const word of wordsWithSpaceDiff.tokenize(after)) surplus.set(word, (surplus.get(word) ?? 0) - 1);
  let edits = 0;
  for (const count of surplus.values()) edits += Math.abs(count);
  return edits;
}

/** What changed in the text of an article between two versions; a missing standfirst counts as empty. */
export const diffContent = async (before: ArticleContent, after: ArticleContent): Promise<ContentDiff> => ({
  headline: diffText(before.headline, after.headline),
  standfirst: diffText(before.standfirst ?? '', after.standfirst ?? ''),
  body: await diffBody(before.body, after.body),
});
