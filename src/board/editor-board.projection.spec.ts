import { ArticleEvents, PEOPLE, shuffled, type ArticleProjectedEvent } from '../../test/support/article-events.js';
import { claimCounts, evolve, type EditorBoardRow } from './editor-board.projection.js';

const fold = (events: readonly ArticleProjectedEvent[], row: EditorBoardRow | null = null) =>
  events.reduce<EditorBoardRow | null>(evolve, row);

describe('editor-board projection: evolve', () => {
  it('puts a drafted article on the board', () => {
    const story = new ArticleEvents();
    const drafted = story.drafted();
    expect(fold(story.events)).toEqual({
      id: story.articleId,
      version: 1,
      status: 'draft',
      headline: drafted.data.headline,
      section: 'world',
      tags: drafted.data.tags,
      authors: [PEOPLE.alice],
      assignees: [],
      claimRatings: {},
      publishAt: null,
      createdAt: drafted.data.draftedAt,
      updatedAt: drafted.data.draftedAt,
    });
  });

  it('follows the workflow: review, changes, approval, schedule, publication, retraction', () => {
    const story = new ArticleEvents();
    const drafted = story.drafted();
    const rows: { status: string; publishAt: string | null }[] = [];
    const publishAt = '2025-12-01T06:00:00.000Z';
    for (const step of [
      () => story.submitted(),
      () => story.changesRequested(),
      () => story.submitted(),
      () => story.approved(),
      () => story.scheduled(publishAt),
      () => story.published(),
      () => story.retracted(),
    ]) {
      step();
      const { status, publishAt: scheduledFor } = fold(story.events)!;
      rows.push({ status, publishAt: scheduledFor });
    }
    expect(rows).toEqual([
      { status: 'in_review', publishAt: null },
      { status: 'changes_requested', publishAt: null },
      { status: 'in_review', publishAt: null },
      { status: 'approved', publishAt: null },
      { status: 'scheduled', publishAt },
      // Published, by the scheduler or early by an editor: no schedule is pending any more.
      { status: 'published', publishAt: null },
      { status: 'retracted', publishAt: null },
    ]);
    const row = fold(story.events)!;
    expect(row).toMatchObject({ version: 8, updatedAt: story.lastTime, createdAt: drafted.data.draftedAt });
  });

  it('counts claims: pending without a verdict, flagged when rated false, mostly_false or unverifiable', () => {
    const story = new ArticleEvents();
    story.drafted();
    const [first, second, third, fourth] = [1, 2, 3, 4].map(() => story.claimAdded().data.claimId);
    story.factChecked(first, 'true');
    story.factChecked(second, 'false');
    story.factChecked(third, 'unverifiable');
    expect(claimCounts(fold(story.events)!.claimRatings)).toEqual({ total: 4, pending: 1, flagged: 2 });

    // A re-rating replaces the earlier verdict.
    story.factChecked(second, 'mostly_true');
    story.factChecked(fourth, 'mostly_false');
    expect(claimCounts(fold(story.events)!.claimRatings)).toEqual({ total: 4, pending: 0, flagged: 2 });
  });

  it('keeps headline, section and tags current through revisions and publication', () => {
    const story = new ArticleEvents();
    story.drafted({ headline: 'Draft headline', tags: ['china'] });
    story.revised({ headline: 'Revised headline', section: 'politics' });
    const revised = fold(story.events)!;
    expect(revised).toMatchObject({ headline: 'Revised headline', section: 'politics', tags: ['china'], updatedAt: story.lastTime });
    story.revised({ tags: ['china', 'taiwan'] });
    story.approved();
    story.published([PEOPLE.alice, PEOPLE.bob]);
    expect(fold(story.events)).toMatchObject({ headline: 'Revised headline', tags: ['china', 'taiwan'], authors: [PEOPLE.alice, PEOPLE.bob] });
  });

  it('lists assignees in every role, and reporters among the authors once', () => {
    const story = new ArticleEvents();
    story.drafted();
    story.assigned(PEOPLE.farid, 'fact_checker');
    story.assigned(PEOPLE.bob, 'reporter');
    story.assigned(PEOPLE.alice, 'reporter');
    story.assigned(PEOPLE.bob, 'editor');
    const row = fold(story.events)!;
    expect(row.assignees).toEqual([
      { ...PEOPLE.farid, as: 'fact_checker' },
      { ...PEOPLE.bob, as: 'reporter' },
      { ...PEOPLE.alice, as: 'reporter' },
      { ...PEOPLE.bob, as: 'editor' },
    ]);
    expect(row.authors).toEqual([PEOPLE.alice, PEOPLE.bob]);
  });

  it('moves only updatedAt and version on notes and corrections', () => {
    const story = new ArticleEvents();
    story.drafted();
    story.approved();
    story.published();
    const before = fold(story.events)!;
    story.noteAdded();
    story.correctionIssued();
    expect(fold(story.events)).toEqual({ ...before, version: 5, updatedAt: story.lastTime });
  });

  describe('idempotency per stream version', () => {
    const story = new ArticleEvents();
    story.drafted();
    const claim = story.claimAdded().data.claimId;
    story.claimAdded();
    story.submitted();
    story.approved();
    story.factChecked(claim, 'false');
    story.assigned(PEOPLE.bob, 'reporter');
    story.revised({ headline: 'A sharper headline' });
    story.published();
    story.correctionIssued();
    story.noteAdded();
    const row = fold(story.events)!;

    it('changes nothing when the same events arrive again', () => {
      expect(fold(story.events, row)).toBe(row);
      for (const event of story.events) expect(evolve(row, event)).toBe(row);
    });

    it('changes nothing when old events are replayed out of order', () => {
      expect(fold(shuffled(story.events), row)).toBe(row);
      expect(fold([...story.events].reverse(), row)).toBe(row);
    });

    it('gives the same row whatever the batch boundaries', () => {
      const firstHalf = fold(story.events.slice(0, 6));
      expect(fold(story.events.slice(6), firstHalf)).toEqual(row);
    });
  });

  it('refuses a stream that does not start with ArticleDrafted', () => {
    const story = new ArticleEvents();
    story.drafted();
    const submitted = story.submitted();
    expect(() => evolve(null, submitted)).toThrow(/no ArticleDrafted/);
  });
});
