import type {
  ArticleContent,
  ArticleStatus,
  AssignmentRole,
  CorrectionKind,
  Person,
  VerdictRating,
} from '#libs/contracts';

export interface Verdict {
  rating: VerdictRating;
  ratingValue: number | null;
  explanation: string;
  sources: string[];
  checkedBy: Person;
  checkedAt: string;
}

export interface Claim {
  id: string;
  text: string;
  quote: string | null;
  addedBy: Person;
  addedAt: string;
  /** The latest verdict; a claim may be re-rated. */
  verdict: Verdict | null;
}

export interface Assignment extends Person {
  as: AssignmentRole;
  assignedBy: Person;
  assignedAt: string;
}

export interface Correction {
  id: string;
  kind: CorrectionKind;
  text: string;
  issuedBy: Person;
  issuedAt: string;
}

export interface EditorialNote {
  id: string;
  text: string;
  author: Person;
  addedAt: string;
}

/** An article as its events leave it. Times are the ISO strings of the events. */
export interface Article {
  id: string;
  status: ArticleStatus;
  content: ArticleContent;
  /** The drafter. */
  author: Person;
  /** The drafter first, then every person assigned as reporter, without duplicates. */
  authors: Person[];
  assignees: Assignment[];
  claims: Claim[];
  /** The latest reason an editor gave when sending the article back. */
  lastChangeRequest: { reason: string; requestedBy: Person; requestedAt: string } | null;
  publishAt: string | null;
  scheduledBy: Person | null;
  publishedAt: string | null;
  publishedBy: Person | null;
  /** Made on the first Published and never changed after. */
  slug: string | null;
  overrideReason: string | null;
  corrections: Correction[];
  retraction: { reason: string; retractedBy: Person; retractedAt: string } | null;
  notes: EditorialNote[];
  /**
   * The name the article's events last showed for each person id (who acted, who was assigned by
   * name): someone assigned by id alone gets their name from here. Not part of the staff view.
   */
  knownNames: Record<string, string>;
  createdAt: string;
  /** Time of the last event, whatever it was. */
  updatedAt: string;
}

/** `null` until the stream has its ArticleDrafted. */
export type ArticleState = Article | null;

export const initialState = (): ArticleState => null;
