import {
  ARTICLE_STREAM_TYPE,
  authorsAfter,
  withNameOf,
  occurredAt,
  type ArticleEvent,
  type CorrectionKind,
  type Person,
  type VerdictRating,
} from '#libs/contracts';
import type { ProjectedEvent, Projection, ProjectionContext, SwapContext } from '#libs/projections';
import { applyRowPerArticle } from '#libs/read-models';

export const PUBLIC_FEED_TABLE = 'public_feed';

type ArticleProjectedEvent = ProjectedEvent<ArticleEvent>;

export interface PublicClaim {
  id: string;
  text: string;
  /**
   * The latest verdict; only rated claims are shown (as ClaimReview). `explanation` and `sources`
   * are absent from rows applied before they were kept, until a rebuild.
   */
  verdict: { rating: VerdictRating; ratingValue: number | null; checkedAt: string; explanation?: string; sources?: string[] } | null;
}

export interface PublicCorrection {
  id: string;
  kind: CorrectionKind;
  text: string;
  issuedAt: string;
}

/**
 * One article as the public side needs it, tracked from its draft so that its claims and byline
 * are known when it is published. Its text (headline, standfirst, body, section, tags) enters with
 * the Published event, which carries all of it: an unpublished draft's text never sits in the
 * public model, and the row stays small until then. Public while `publishedAt` is set and
 * `retraction` is not.
 */
export interface PublicFeedRow {
  id: string;
  /** The article stream version this row reflects. */
  version: number;
  /** From the first Published event, never changed after. */
  slug: string | null;
  headline: string;
  standfirst: string | null;
  body: string;
  section: string;
  tags: string[];
  authors: Person[];
  claims: PublicClaim[];
  corrections: PublicCorrection[];
  publishedAt: string | null;
  /** Moves on changes readers see (see evolve); null until published. */
  updatedAt: string | null;
  retraction: { reason: string; retractedAt: string } | null;
}

export const isPublic = (row: PublicFeedRow): boolean => row.publishedAt !== null && row.retraction === null;

/**
 * Folds one article event into its public row. An event at or below the row's version has been
 * applied already and changes nothing.
 *
 * `updatedAt` moves only on what readers of a published story see change: publication, revisions,
 * corrections, verdicts (the ClaimReview blocks), the byline (a reporter joining it, or getting a name), and retraction.
 * Notes, workflow steps and assignments of editors or fact-checkers leave it alone.
 */
export function evolve(row: PublicFeedRow | null, event: ArticleProjectedEvent): PublicFeedRow {
  if (row !== null && event.streamVersion <= row.version) return row;
  if (event.type === 'ArticleDrafted') {
    const { articleId, author } = event.data;
    return {
      id: articleId,
      version: event.streamVersion,
      slug: null,
      headline: '',
      standfirst: null,
      body: '',
      section: '',
      tags: [],
      authors: [author],
      claims: [],
      corrections: [],
      publishedAt: null,
      updatedAt: null,
      retraction: null,
    };
  }
  if (row === null) {
    throw new Error(`public-feed: ${event.type} (version ${event.streamVersion}) of article ${event.key} has no ArticleDrafted before it`);
  }

  // Unlike the decider's and the board's updatedAt (every event's time), the feed's moves only for what readers see.
  const publicChangeAt = (): string | null => (isPublic(row) ? occurredAt(event) : row.updatedAt);
  // The byline is seen: a reporter joining it, or one getting the name they act under, moves updatedAt.
  const authors = authorsAfter(row.authors, event);
  const next: PublicFeedRow = { ...row, version: event.streamVersion, authors, updatedAt: authors === row.authors ? row.updatedAt : publicChangeAt() };
  switch (event.type) {
    case 'ArticleRevised':
      // Before publication the Published event brings the text as it then is.
      if (row.publishedAt === null) return next;
      return { ...next, ...event.data.changes, updatedAt: publicChangeAt() };
    case 'Published': {
      // Like the board, and unlike the decider, the byline is taken from the event.
      const { headline, standfirst, body, section, tags, authors, slug, publishedAt } = event.data;
      return {
        ...next,
        headline,
        standfirst,
        body,
        section,
        tags,
        // With the names the row knows for authors the event names by id alone (events before authorsAfter).
        authors: next.authors.reduce(withNameOf, authors),
        slug: row.slug ?? slug,
        publishedAt: row.publishedAt ?? publishedAt,
        updatedAt: publishedAt,
      };
    }
    case 'ClaimAdded': {
      const { claimId, text } = event.data;
      return { ...next, claims: [...row.claims, { id: claimId, text, verdict: null }] };
    }
    case 'FactChecked': {
      const { claimId, rating, ratingValue, checkedAt, explanation, sources } = event.data;
      return {
        ...next,
        claims: row.claims.map((claim) => (claim.id === claimId ? { ...claim, verdict: { rating, ratingValue, checkedAt, explanation, sources } } : claim)),
        updatedAt: publicChangeAt(),
      };
    }
    case 'CorrectionIssued': {
      const { correctionId, kind, text, issuedAt } = event.data;
      return { ...next, corrections: [...row.corrections, { id: correctionId, kind, text, issuedAt }], updatedAt: issuedAt };
    }
    case 'ArticleRetracted': {
      const { reason, retractedAt } = event.data;
      // The feed changed (the story left it), so its Last-Modified must move too.
      return { ...next, retraction: { reason, retractedAt }, updatedAt: retractedAt };
    }
    case 'ArticleAssigned':
    case 'ArticleSubmitted':
    case 'ChangesRequested':
    case 'ArticleApproved':
    case 'PublishScheduled':
    case 'EditorialNoteAdded':
      return next;
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: one row per article in public_feed
// ---------------------------------------------------------------------------------------------

// The upsert writes these; `listed` (the feed's order) is storage-only and written by
// listNewStories alone, so a row's update never touches it and the row model stays pure.

const COLUMNS = {
  id: 'uuid',
  version: 'integer',
  slug: 'text',
  headline: 'text',
  standfirst: 'text',
  body: 'text',
  section: 'text',
  tags: 'text[]',
  authors: 'jsonb',
  claims: 'jsonb',
  corrections: 'jsonb',
  published_at: 'timestamptz',
  updated_at: 'timestamptz',
  retraction: 'jsonb',
} as const;

interface StoredRow {
  id: string;
  version: number;
  slug: string | null;
  headline: string;
  standfirst: string | null;
  body: string;
  section: string;
  tags: string[];
  authors: Person[];
  claims: PublicClaim[];
  corrections: PublicCorrection[];
  published_at: Date | null;
  updated_at: Date | null;
  retraction: PublicFeedRow['retraction'];
}

const fromStored = (stored: StoredRow): PublicFeedRow => ({
  id: stored.id,
  version: stored.version,
  slug: stored.slug,
  headline: stored.headline,
  standfirst: stored.standfirst,
  body: stored.body,
  section: stored.section,
  tags: stored.tags,
  authors: stored.authors,
  claims: stored.claims,
  corrections: stored.corrections,
  publishedAt: stored.published_at?.toISOString() ?? null,
  updatedAt: stored.updated_at?.toISOString() ?? null,
  retraction: stored.retraction,
});

const toRecord = (row: PublicFeedRow): Record<keyof typeof COLUMNS, unknown> => ({
  id: row.id,
  version: row.version,
  slug: row.slug,
  headline: row.headline,
  standfirst: row.standfirst,
  body: row.body,
  section: row.section,
  tags: row.tags,
  authors: row.authors,
  claims: row.claims,
  corrections: row.corrections,
  published_at: row.publishedAt,
  updated_at: row.updatedAt,
  retraction: row.retraction,
});

const applyRows = applyRowPerArticle<PublicFeedRow, StoredRow, ArticleProjectedEvent>({ table: PUBLIC_FEED_TABLE, columns: COLUMNS, evolve, fromStored, toRecord });

// ---------------------------------------------------------------------------------------------
// Listing: the feed's order is the order stories entered it
// ---------------------------------------------------------------------------------------------

/**
 * Where each story's place in the feed (`listed`, newest highest) comes from: live and rebuilt
 * tables alike, so values never repeat and a value taken later is always higher.
 */
export const LISTING_SEQUENCE = 'public_feed_listing';

/**
 * The advisory lock of listing into one physical table, named as the relay's and the runner's
 * locks are (hashtextextended of a text). Live, it is one constant key; a rebuild lists into its
 * fresh copy, which no reader sees, under its own key and keeps no live listing waiting.
 */
const listingLock = (table: string): string => `newsroom.public-feed-listing:${table}`;

/**
 * Lists the published stories without a place: the batch's newly published ones, and any a worker
 * of an older version left unlisted (it heals with the next batch). Each takes the next value of
 * LISTING_SEQUENCE, in (published_at, id) order. The lock is taken before the first value and held
 * to the end of the batch's transaction, which commits the batch with its stream versions: two
 * batches that list commit in the order of their values, so a lower value never becomes visible
 * after a higher one, and a story that becomes visible sorts above every story already visible. A
 * keyset walk down the feed never passes a place where a story appears later.
 *
 * Rows before the lock, as everywhere: the batch's own rows are locked by its upsert, the others
 * it lists by FOR UPDATE here, and after taking the lock a batch touches no row it does not hold,
 * so a batch waiting for the lock waits for nothing the holder needs. A batch with nothing to list
 * (the usual case: one probe of the public_feed_unlisted index) takes no lock. A story keeps its
 * value: a repeat, a correction, a second Published event never list it again.
 */
async function listNewStories(context: ProjectionContext): Promise<void> {
  const table = context.table(PUBLIC_FEED_TABLE);
  const unlisted: { id: string }[] = await context.query(
    `SELECT id FROM ${table} WHERE published_at IS NOT NULL AND listed IS NULL ORDER BY published_at, id FOR UPDATE`,
  );
  if (unlisted.length === 0) return;
  await context.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [listingLock(table)]);
  // Numbered once, in order, before the update (MATERIALIZED: nextval runs in the sorted order).
  await context.query(
    `WITH numbered AS MATERIALIZED (
       SELECT id, nextval('${LISTING_SEQUENCE}') AS listed
         FROM (SELECT id FROM ${table} WHERE id = ANY($1::uuid[]) AND listed IS NULL ORDER BY published_at, id) AS sorted)
     UPDATE ${table} SET listed = numbered.listed FROM numbered WHERE ${table}.id = numbered.id`,
    [unlisted.map((row) => row.id)],
  );
}

/**
 * A rebuild lists every story again, in the log's commit order, into its fresh copy; readers'
 * cursors hold the live values. So at the swap, stories the live feed had listed keep their live
 * values (its order, and every cursor handed out, survive the swap), and the stories that become
 * visible only with the swap (events the live consumer had not applied yet) are listed anew, in
 * the rebuild's order, above all of them. Only when the live table has lost its listing (a feed
 * rebuilt into an emptied table) do readers get the newcomers' order, publication order.
 * Idempotent: run again in the swap, it changes only what live listed since, and the newcomers.
 * It reads the whole feed either way (two joins of live and fresh): in the swap, while readers
 * wait, about a third of a second per 200,000 stories.
 */
async function keepLiveListing(context: SwapContext): Promise<void> {
  const live = context.live(PUBLIC_FEED_TABLE);
  const fresh = context.fresh(PUBLIC_FEED_TABLE);
  // Values come from one sequence, so a live value is held by no other fresh row: no unique clash.
  await context.query(
    `UPDATE ${fresh} SET listed = ${live}.listed FROM ${live}
      WHERE ${live}.id = ${fresh}.id AND ${live}.listed IS NOT NULL AND ${fresh}.listed IS DISTINCT FROM ${live}.listed`,
  );
  // Under the live key, as every value readers will see (in the swap's transaction no live batch holds it).
  await context.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [listingLock(live)]);
  // Numbered once, in order, before the update, as in listNewStories.
  await context.query(
    `WITH numbered AS MATERIALIZED (
       SELECT id, nextval('${LISTING_SEQUENCE}') AS listed
         FROM (SELECT id FROM ${fresh}
                WHERE listed IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${live} WHERE ${live}.id = ${fresh}.id AND ${live}.listed IS NOT NULL)
                ORDER BY published_at, id) AS newcomers)
     UPDATE ${fresh} SET listed = numbered.listed FROM numbered WHERE ${fresh}.id = numbered.id`,
  );
}

export const publicFeedProjection: Projection = {
  name: 'public-feed',
  streamTypes: [ARTICLE_STREAM_TYPE],
  tables: [PUBLIC_FEED_TABLE],
  async apply(events, context) {
    await applyRows(events, context);
    await listNewStories(context);
  },
  beforeSwap: keepLiveListing,
};
