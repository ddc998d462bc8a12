import { ArticleEvents, PEOPLE, shuffled, type ArticleProjectedEvent } from '../../test/support/article-events.js';
import { evolve, type FactCheckArticle } from './fact-check-queue.projection.js';

const fold = (events: readonly ArticleProjectedEvent[], article: FactCheckArticle | null = null) =>
  events.reduce<FactCheckArticle | null>(evolve, article);

describe('fact-check-queue projection: evolve', () => {
  it('queues each claim as it is added, with who added it and when', () => {
    const story = new ArticleEvents();
    story.drafted({ headline: 'Xi presses Trump' });
    const first = story.claimAdded('The call lasted one hour.', 'The one-hour call', PEOPLE.alice);
    const second = story.claimAdded('Tariffs average just under 50%.', null, PEOPLE.farid);
    expect(fold(story.events)).toEqual({
      articleId: story.articleId,
      version: 3,
      headline: 'Xi presses Trump',
      status: 'draft',
      pendingClaims: [
        { claimId: first.data.claimId, text: 'The call lasted one hour.', quote: 'The one-hour call', addedAt: first.data.addedAt, addedBy: PEOPLE.alice },
        { claimId: second.data.claimId, text: 'Tariffs average just under 50%.', quote: null, addedAt: second.data.addedAt, addedBy: PEOPLE.farid },
      ],
    });
  });

  it('takes a claim out of the queue when it gets a verdict, whatever the rating', () => {
    const story = new ArticleEvents();
    story.drafted();
    const claims = [1, 2, 3].map(() => story.claimAdded().data.claimId);
    story.factChecked(claims[0], 'false');
    story.factChecked(claims[2], 'unverifiable');
    expect(fold(story.events)!.pendingClaims.map((claim) => claim.claimId)).toEqual([claims[1]]);

    // Re-rating a claim that already left the queue changes nothing but the version.
    const before = fold(story.events)!;
    const after = evolve(before, story.factChecked(claims[0], 'true'));
    expect(after.pendingClaims).toBe(before.pendingClaims);
    expect(after.version).toBe(before.version + 1);
  });

  it('keeps the headline and the article status current', () => {
    const story = new ArticleEvents();
    story.drafted({ headline: 'First' });
    story.claimAdded();
    story.revised({ headline: 'Second' });
    story.submitted();
    expect(fold(story.events)).toMatchObject({ headline: 'Second', status: 'in_review' });
    story.changesRequested();
    expect(fold(story.events)!.status).toBe('changes_requested');
    story.submitted();
    story.approved();
    expect(fold(story.events)!.status).toBe('approved');
    story.scheduled('2025-12-01T06:00:00.000Z');
    expect(fold(story.events)!.status).toBe('scheduled');
    story.published();
    expect(fold(story.events)).toMatchObject({ status: 'published', headline: 'Second' });
    expect(fold(story.events)!.pendingClaims).toHaveLength(1);
  });

  it('empties the article queue on retraction', () => {
    const story = new ArticleEvents();
    story.drafted();
    story.claimAdded();
    story.claimAdded();
    story.approved();
    story.published();
    story.retracted();
    expect(fold(story.events)).toMatchObject({ status: 'retracted', pendingClaims: [] });
  });

  it('leaves the pending claims untouched (same array) on events that do not concern them', () => {
    const story = new ArticleEvents();
    story.drafted();
    story.claimAdded();
    const before = fold(story.events)!;
    const after = fold([story.noteAdded(), story.assigned(PEOPLE.farid, 'fact_checker'), story.submitted()], before)!;
    expect(after.pendingClaims).toBe(before.pendingClaims);
  });

  describe('idempotency per stream version', () => {
    const story = new ArticleEvents();
    story.drafted();
    const claims = [1, 2, 3].map(() => story.claimAdded().data.claimId);
    story.revised({ headline: 'Revised' });
    story.factChecked(claims[1], 'true');
    story.submitted();
    story.noteAdded();
    const article = fold(story.events)!;

    it('changes nothing when the same events arrive again', () => {
      expect(fold(story.events, article)).toBe(article);
    });

    it('changes nothing when old events are replayed out of order', () => {
      expect(fold(shuffled(story.events), article)).toBe(article);
      expect(fold([...story.events].reverse(), article)).toBe(article);
    });

    it('gives the same state whatever the batch boundaries', () => {
      expect(fold(story.events.slice(3), fold(story.events.slice(0, 3)))).toEqual(article);
    });
  });

  it('refuses a stream that does not start with ArticleDrafted', () => {
    const story = new ArticleEvents();
    story.drafted();
    expect(() => evolve(null, story.claimAdded())).toThrow(/no ArticleDrafted/);
  });
});
