import type {
  ArticleContent,
  AssignmentRole,
  CorrectionKind,
  Person,
  StaffClaims,
  VerdictRating,
} from '#libs/contracts';

/** Who issues a command: the JWT claims of a staff member, or a system actor such as the scheduler. */
export type Actor = StaffClaims;

/** The scheduler's identity; it has no staff role, and only PublishScheduledArticle accepts it. */
export const SCHEDULER_ACTOR: Actor = { sub: 'system:scheduler', name: 'Scheduler', roles: [] };

export const personOf = (actor: Actor): Person => ({ id: actor.sub, name: actor.name });

/** Every command names its article, its actor and the time it happens: the decider reads no clock. */
type ArticleCommandOf<Type extends string, Data> = {
  type: Type;
  data: Data & { articleId: string; actor: Actor; now: Date };
};

export type DraftArticle = ArticleCommandOf<
  'DraftArticle',
  { headline: string; standfirst?: string | null; body: string; section: string; tags?: string[] }
>;

/** `standfirst: null` clears it; absent fields stay as they are. */
export type ReviseArticle = ArticleCommandOf<'ReviseArticle', { changes: Partial<ArticleContent> }>;

export type SubmitArticle = ArticleCommandOf<'SubmitArticle', object>;

export type RequestChanges = ArticleCommandOf<'RequestChanges', { reason: string }>;

export type ApproveArticle = ArticleCommandOf<'ApproveArticle', object>;

export type AddClaim = ArticleCommandOf<'AddClaim', { claimId: string; text: string; quote?: string | null }>;

export type RecordVerdict = ArticleCommandOf<
  'RecordVerdict',
  { claimId: string; rating: VerdictRating; explanation: string; sources: string[] }
>;

/**
 * `shortSlugTaken`: another story already has the slug this one would get (the writer learns it
 * from the database refusing the first try), so the slug ends in the whole id instead.
 */
interface PublishData {
  shortSlugTaken?: boolean;
}

export type PublishArticle = ArticleCommandOf<'PublishArticle', PublishData & { overrideReason?: string | null }>;

/** Issued by the scheduler once `now >= publishAt`. */
export type PublishScheduledArticle = ArticleCommandOf<'PublishScheduledArticle', PublishData>;

export type SchedulePublish = ArticleCommandOf<'SchedulePublish', { publishAt: Date }>;

export type IssueCorrection = ArticleCommandOf<
  'IssueCorrection',
  { correctionId: string; kind: CorrectionKind; text: string }
>;

export type RetractArticle = ArticleCommandOf<'RetractArticle', { reason: string }>;

export type AddEditorialNote = ArticleCommandOf<'AddEditorialNote', { noteId: string; text: string }>;

export type AssignArticle = ArticleCommandOf<'AssignArticle', { assignee: Person; as: AssignmentRole }>;

export type ArticleCommand =
  | DraftArticle
  | ReviseArticle
  | SubmitArticle
  | RequestChanges
  | ApproveArticle
  | AddClaim
  | RecordVerdict
  | PublishArticle
  | PublishScheduledArticle
  | SchedulePublish
  | IssueCorrection
  | RetractArticle
  | AddEditorialNote
  | AssignArticle;

export type ArticleCommandType = ArticleCommand['type'];
