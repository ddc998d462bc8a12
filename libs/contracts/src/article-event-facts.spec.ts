import {
  actorOf,
  authorsAfter,
  authorsAfterAssignment,
  isFlagged,
  occurredAt,
  statusAfter,
  VERDICT_RATINGS,
  type ArticleEvent,
  type ArticleStatus,
  type Person,
} from './index.js';

const articleId = '0192f3a4-5b6c-7d8e-9f00-112233445566';
const alice = { id: 'alice', name: 'Alice Chen' };
const erin = { id: 'erin', name: 'Erin Walsh' };
const person = { id: 'x', name: 'X' };
const content = { headline: 'H', standfirst: null, body: 'B', section: 'world', tags: [] };

// One event of each type, each with its own time, and the status it leads to (null: unchanged).
const cases: [ArticleEvent, string, ArticleStatus | null][] = [
  [{ type: 'ArticleDrafted', data: { ...content, articleId, author: alice, draftedAt: 't01' } }, 't01', 'draft'],
  [{ type: 'ArticleRevised', data: { articleId, changes: { body: 'C' }, revisedBy: alice, revisedAt: 't02' } }, 't02', null],
  [{ type: 'ArticleSubmitted', data: { articleId, submittedBy: alice, submittedAt: 't03' } }, 't03', 'in_review'],
  [{ type: 'ChangesRequested', data: { articleId, reason: 'r', requestedBy: erin, requestedAt: 't04' } }, 't04', 'changes_requested'],
  [{ type: 'ArticleApproved', data: { articleId, approvedBy: erin, approvedAt: 't05' } }, 't05', 'approved'],
  [{ type: 'ClaimAdded', data: { articleId, claimId: 'c', text: 't', quote: null, addedBy: alice, addedAt: 't06' } }, 't06', null],
  [
    {
      type: 'FactChecked',
      data: { articleId, claimId: 'c', rating: 'true', ratingValue: 5, explanation: 'e', sources: [], checkedBy: person, checkedAt: 't07' },
    },
    't07',
    null,
  ],
  [{ type: 'PublishScheduled', data: { articleId, publishAt: 'later', scheduledBy: erin, scheduledAt: 't08' } }, 't08', 'scheduled'],
  [
    {
      type: 'Published',
      data: { ...content, articleId, slug: 's', authors: [alice], publishedAt: 't09', publishedBy: erin, overrideReason: null, scheduled: false },
    },
    't09',
    'published',
  ],
  [{ type: 'CorrectionIssued', data: { articleId, correctionId: 'k', kind: 'correction', text: 't', issuedBy: erin, issuedAt: 't10' } }, 't10', null],
  [{ type: 'ArticleRetracted', data: { articleId, reason: 'r', retractedBy: erin, retractedAt: 't11' } }, 't11', 'retracted'],
  [{ type: 'EditorialNoteAdded', data: { articleId, noteId: 'n', text: 't', author: erin, addedAt: 't12' } }, 't12', null],
  [{ type: 'ArticleAssigned', data: { articleId, assignee: person, as: 'editor', assignedBy: erin, assignedAt: 't13' } }, 't13', null],
];

describe('article event facts', () => {
  it.each(cases.map(([event, time, status]) => [event.type, event, time, status] as const))(
    '%s happened at its own time and leads to its status',
    (_, event, time, status) => {
      expect(occurredAt(event)).toBe(time);
      expect(statusAfter('approved', event)).toBe(status ?? 'approved');
    },
  );

  it('adds a person assigned as reporter to the byline once, and keeps the same array otherwise', () => {
    const authors: Person[] = [alice];
    const withErin = authorsAfterAssignment(authors, { assignee: { ...erin, extra: 1 } as Person, as: 'reporter' });
    expect(withErin).toEqual([alice, erin]);
    expect(authorsAfterAssignment(withErin, { assignee: erin, as: 'reporter' })).toBe(withErin);
    expect(authorsAfterAssignment(authors, { assignee: erin, as: 'fact_checker' })).toBe(authors);
  });

  it('names who did what each event records', () => {
    expect(cases.map(([event]) => `${event.type}: ${actorOf(event).id}`)).toEqual([
      'ArticleDrafted: alice',
      'ArticleRevised: alice',
      'ArticleSubmitted: alice',
      'ChangesRequested: erin',
      'ArticleApproved: erin',
      'ClaimAdded: alice',
      'FactChecked: x',
      'PublishScheduled: erin',
      'Published: erin',
      'CorrectionIssued: erin',
      'ArticleRetracted: erin',
      'EditorialNoteAdded: erin',
      'ArticleAssigned: erin',
    ]);
  });

  describe('authorsAfter', () => {
    const dave = { id: 'dave', name: 'Dave Smith' };
    // Assigned without a name: known by the id alone.
    const daveById = { id: 'dave', name: 'dave' };
    const assigned = (assignee: Person, as: 'reporter' | 'editor' = 'reporter'): ArticleEvent =>
      ({ type: 'ArticleAssigned', data: { articleId, assignee, as, assignedBy: erin, assignedAt: 't20' } });
    const revisedBy = (revisor: Person): ArticleEvent =>
      ({ type: 'ArticleRevised', data: { articleId, changes: { body: 'D' }, revisedBy: revisor, revisedAt: 't21' } });

    it('adds a reporter assigned by id alone as they are named, and names them once they act', () => {
      const byline = authorsAfter([alice], assigned(daveById));
      expect(byline).toEqual([alice, daveById]);
      expect(authorsAfter(byline, revisedBy(dave))).toEqual([alice, dave]);
    });

    it('names such an author from a later assignment that gives the name', () => {
      expect(authorsAfter([alice, daveById], assigned(dave, 'editor'))).toEqual([alice, dave]);
    });

    it('names an author known by id alone who assigns someone else', () => {
      expect(authorsAfter([alice, { id: 'erin', name: 'erin' }], assigned(dave, 'editor'))).toEqual([alice, erin]);
    });

    it('keeps a name once known, and the same array when nothing changes', () => {
      const byline = [alice, dave];
      expect(authorsAfter(byline, revisedBy({ id: 'dave', name: 'D. Smith' }))).toBe(byline);
      expect(authorsAfter(byline, revisedBy(daveById))).toBe(byline);
      expect(authorsAfter(byline, revisedBy(erin))).toBe(byline);
      expect(authorsAfter(byline, assigned(erin, 'editor'))).toBe(byline);
    });
  });

  it('flags false, mostly_false and unverifiable', () => {
    expect(VERDICT_RATINGS.filter(isFlagged)).toEqual(['mostly_false', 'false', 'unverifiable']);
  });
});
