import type { ArticleStatus, Person } from '#libs/contracts';
import type { FactCheckQueueClaimEntity } from '../../fact-check-queue.entity.js';

/** One entry of `GET /fact-checks/queue`: a claim waiting for a verdict, and its article. */
export interface QueuedClaim {
  articleId: string;
  headline: string;
  articleStatus: ArticleStatus;
  claimId: string;
  text: string;
  quote: string | null;
  addedAt: string;
  addedBy: Person;
}

export const toQueuedClaim = (claim: FactCheckQueueClaimEntity): QueuedClaim => ({
  articleId: claim.articleId,
  headline: claim.article.headline,
  articleStatus: claim.article.status,
  claimId: claim.claimId,
  text: claim.text,
  quote: claim.quote,
  addedAt: claim.addedAt.toISOString(),
  addedBy: claim.addedBy,
});
