import { STAFF_ID_MAX_LENGTH, STAFF_NAME_MAX_LENGTH } from '#libs/contracts';

/** Length limits of article input, in characters. */
export const ARTICLE_LIMITS = {
  headline: 200,
  standfirst: 600,
  body: 200_000,
  section: 60,
  tags: 20,
  tag: 60,
  reason: 2000,
  claimText: 1000,
  quote: 2000,
  explanation: 5000,
  sources: 20,
  sourceUrl: 2000,
  note: 5000,
  correction: 5000,
  userId: STAFF_ID_MAX_LENGTH,
  personName: STAFF_NAME_MAX_LENGTH,
} as const;

/** The highest article version a client may name (`?version=`, `from`, `to`): the store's integer stream version. */
export const MAX_ARTICLE_VERSION = 2_147_483_647;
