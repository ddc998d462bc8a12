import { ARTICLE_STREAM_TYPE, statusAfter, type ArticleEvent, type ArticleStatus, type Person } from '#libs/contracts';
import { groupByKey, type ProjectedEvent, type Projection, type ProjectionContext } from '#libs/projections';
import { upsertRows } from '#libs/read-models';

/** Per article: what a queue entry shows about it (kept current for every article, claims or not). */
export const QUEUE_ARTICLES_TABLE = 'fact_check_queue_articles';
/** Per claim without a verdict: the queue itself. */
export const QUEUE_CLAIMS_TABLE = 'fact_check_queue';

type ArticleProjectedEvent = ProjectedEvent<ArticleEvent>;

export interface PendingClaim {
  claimId: string;
  text: string;
  quote: string | null;
  addedAt: string;
  addedBy: Person;
}

/** One article as the queue needs it. Times are the events' ISO strings. */
export interface FactCheckArticle {
  articleId: string;
  /** The article stream version this state reflects. */
  version: number;
  headline: string;
  status: ArticleStatus;
  /** Claims without a verdict, in the order they were added. */
  pendingClaims: PendingClaim[];
}

/**
 * Folds one article event into the article's queue state. An event at or below the state's
 * version has been applied already and changes nothing. Events that leave the pending claims
 * alone keep the same array, which tells `apply` there are no claim rows to rewrite.
 */
export function evolve(article: FactCheckArticle | null, event: ArticleProjectedEvent): FactCheckArticle {
  if (article !== null && event.streamVersion <= article.version) return article;
  if (event.type === 'ArticleDrafted') {
    const { articleId, headline } = event.data;
    return { articleId, version: event.streamVersion, headline, status: 'draft', pendingClaims: [] };
  }
  if (article === null) {
    throw new Error(`fact-check-queue: ${event.type} (version ${event.streamVersion}) of article ${event.key} has no ArticleDrafted before it`);
  }

  const next: FactCheckArticle = { ...article, version: event.streamVersion, status: statusAfter(article.status, event) };
  switch (event.type) {
    case 'ArticleRevised':
      return { ...next, headline: event.data.changes.headline ?? article.headline };
    case 'Published':
      return { ...next, headline: event.data.headline };
    case 'ArticleRetracted':
      // A retracted story needs no more fact-checking.
      return { ...next, pendingClaims: [] };
    case 'ClaimAdded': {
      const { claimId, text, quote, addedAt, addedBy } = event.data;
      return { ...next, pendingClaims: [...article.pendingClaims, { claimId, text, quote, addedAt, addedBy }] };
    }
    case 'FactChecked': {
      const { claimId } = event.data;
      // A re-rating of a claim that already left the queue changes nothing here.
      if (!article.pendingClaims.some((claim) => claim.claimId === claimId)) return next;
      return { ...next, pendingClaims: article.pendingClaims.filter((claim) => claim.claimId !== claimId) };
    }
    case 'ArticleSubmitted':
    case 'ChangesRequested':
    case 'ArticleApproved':
    case 'PublishScheduled':
    case 'CorrectionIssued':
    case 'EditorialNoteAdded':
    case 'ArticleAssigned':
      return next;
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: fact_check_queue_articles (one row per article) and fact_check_queue (one per pending claim)
// ---------------------------------------------------------------------------------------------

const ARTICLE_COLUMNS = { article_id: 'uuid', version: 'integer', headline: 'text', status: 'text' } as const;
const CLAIM_COLUMNS = {
  article_id: 'uuid',
  claim_id: 'uuid',
  text: 'text',
  quote: 'text',
  added_at: 'timestamptz',
  added_by: 'jsonb',
} as const;

interface StoredArticle {
  article_id: string;
  version: number;
  headline: string;
  status: ArticleStatus;
}

interface StoredClaim {
  article_id: string;
  claim_id: string;
  text: string;
  quote: string | null;
  added_at: Date;
  added_by: Person;
}

async function load(context: ProjectionContext, articleIds: string[]): Promise<Map<string, FactCheckArticle>> {
  const articles = await context.query<StoredArticle>(
    `SELECT * FROM ${context.table(QUEUE_ARTICLES_TABLE)} WHERE article_id = ANY($1::uuid[])`,
    [articleIds],
  );
  const claims = await context.query<StoredClaim>(
    `SELECT * FROM ${context.table(QUEUE_CLAIMS_TABLE)} WHERE article_id = ANY($1::uuid[]) ORDER BY added_at, claim_id`,
    [articleIds],
  );
  const loaded = new Map(
    articles.map((row): [string, FactCheckArticle] => [
      row.article_id,
      { articleId: row.article_id, version: row.version, headline: row.headline, status: row.status, pendingClaims: [] },
    ]),
  );
  for (const claim of claims) {
    loaded.get(claim.article_id)?.pendingClaims.push({
      claimId: claim.claim_id,
      text: claim.text,
      quote: claim.quote,
      addedAt: claim.added_at.toISOString(),
      addedBy: claim.added_by,
    });
  }
  return loaded;
}

/**
 * Loads the batch's articles (two queries), folds their events in memory, then writes: one upsert
 * of the articles, and for the articles whose pending claims changed, their claim rows replaced.
 */
async function apply(events: readonly ProjectedEvent[], context: ProjectionContext): Promise<void> {
  // streamTypes below makes the runner hand us article events only.
  const byArticle = groupByKey(events as readonly ArticleProjectedEvent[]);
  const existing = await load(context, [...byArticle.keys()]);
  const articles: FactCheckArticle[] = [];
  const claimsChanged: FactCheckArticle[] = [];
  for (const [articleId, articleEvents] of byArticle) {
    const before = existing.get(articleId) ?? null;
    const after = articleEvents.reduce<FactCheckArticle | null>(evolve, before);
    if (after === null) continue;
    articles.push(after);
    if (after.pendingClaims !== before?.pendingClaims) claimsChanged.push(after);
  }

  await upsertRows(
    context,
    context.table(QUEUE_ARTICLES_TABLE),
    ARTICLE_COLUMNS,
    ['article_id'],
    articles.map((article) => ({
      article_id: article.articleId,
      version: article.version,
      headline: article.headline,
      status: article.status,
    })),
  );
  if (claimsChanged.length === 0) return;
  const claimsTable = context.table(QUEUE_CLAIMS_TABLE);
  await context.query(`DELETE FROM ${claimsTable} WHERE article_id = ANY($1::uuid[])`, [
    claimsChanged.map((article) => article.articleId),
  ]);
  await upsertRows(
    context,
    claimsTable,
    CLAIM_COLUMNS,
    ['article_id', 'claim_id'],
    claimsChanged.flatMap((article) =>
      article.pendingClaims.map((claim) => ({
        article_id: article.articleId,
        claim_id: claim.claimId,
        text: claim.text,
        quote: claim.quote,
        added_at: claim.addedAt,
        added_by: claim.addedBy,
      })),
    ),
  );
}

export const factCheckQueueProjection: Projection = {
  name: 'fact-check-queue',
  streamTypes: [ARTICLE_STREAM_TYPE],
  tables: [QUEUE_ARTICLES_TABLE, QUEUE_CLAIMS_TABLE],
  apply,
};
