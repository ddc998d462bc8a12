import { ArticleEvents, PEOPLE, shuffled, type ArticleProjectedEvent } from '../../test/support/article-events.js';
import { evolve, isPublic, type PublicFeedRow } from './public-feed.projection.js';

const fold = (events: readonly ArticleProjectedEvent[], row: PublicFeedRow | null = null) =>
  events.reduce<PublicFeedRow | null>(evolve, row);

/** Drafted with two claims, revised, rated, approved: ready to publish. */
function approvedStory(): { story: ArticleEvents; claims: string[] } {
  const story = new ArticleEvents();
  story.drafted({ headline: 'Draft headline', standfirst: null });
  const claims = [story.claimAdded('The call lasted an hour.').data.claimId, story.claimAdded('Trump visits in April.').data.claimId];
  story.revised({ headline: 'Xi presses Trump on Taiwan', standfirst: 'Both leaders plan visits.' });
  story.factChecked(claims[0], 'true');
  story.submitted();
  story.approved();
  return { story, claims };
}

describe('public-feed projection: evolve', () => {
  it('tracks an article from its draft, out of public view and without its text until it is published', () => {
    const { story, claims } = approvedStory();
    const row = fold(story.events)!;
    expect(isPublic(row)).toBe(false);
    expect(row).toMatchObject({
      slug: null,
      headline: '',
      standfirst: null,
      body: '',
      section: '',
      tags: [],
      authors: [PEOPLE.alice],
      publishedAt: null,
      updatedAt: null,
      claims: [
        { id: claims[0], text: 'The call lasted an hour.', verdict: { rating: 'true', ratingValue: 5, checkedAt: expect.any(String) } },
        { id: claims[1], text: 'Trump visits in April.', verdict: null },
      ],
    });
  });

  it('publishes with the content, slug and authors of the Published event', () => {
    const { story } = approvedStory();
    const published = story.published([PEOPLE.alice, PEOPLE.bob]);
    const row = fold(story.events)!;
    expect(isPublic(row)).toBe(true);
    expect(row).toMatchObject({
      slug: published.data.slug,
      headline: published.data.headline,
      standfirst: published.data.standfirst,
      body: published.data.body,
      section: published.data.section,
      tags: published.data.tags,
      authors: [PEOPLE.alice, PEOPLE.bob],
      publishedAt: published.data.publishedAt,
      updatedAt: published.data.publishedAt,
    });
  });

  it('moves updatedAt on public changes after publishing: revisions, corrections, verdicts, a new reporter', () => {
    const { story, claims } = approvedStory();
    story.published();
    const times: string[] = [];
    story.revised({ body: 'A new body.' });
    times.push(fold(story.events)!.updatedAt!);
    const correction = story.correctionIssued('The call lasted 45 minutes.', 'correction');
    times.push(fold(story.events)!.updatedAt!);
    story.factChecked(claims[1], 'mostly_true');
    times.push(fold(story.events)!.updatedAt!);
    story.assigned(PEOPLE.bob, 'reporter');
    times.push(fold(story.events)!.updatedAt!);
    expect(new Set(times).size).toBe(4);
    expect([...times].sort()).toEqual(times);

    const row = fold(story.events)!;
    expect(row).toMatchObject({ body: 'A new body.', updatedAt: story.lastTime, authors: [PEOPLE.alice, PEOPLE.bob] });
    expect(row.corrections).toEqual([
      { id: correction.data.correctionId, kind: 'correction', text: 'The call lasted 45 minutes.', issuedAt: correction.data.issuedAt },
    ]);
    expect(row.claims[1].verdict).toMatchObject({ rating: 'mostly_true', ratingValue: 4 });
  });

  it('names a reporter assigned by id alone once they act, moving updatedAt: readers see the name, not the id', () => {
    const { story } = approvedStory();
    story.published();
    const dave = { id: 'dave', name: 'Dave Smith' };
    story.assigned({ id: 'dave', name: 'dave' }, 'reporter');
    expect(fold(story.events)!.authors).toEqual([PEOPLE.alice, { id: 'dave', name: 'dave' }]);
    story.revised({ body: 'Dave\'s new paragraph.' }, dave);
    expect(fold(story.events)).toMatchObject({ authors: [PEOPLE.alice, dave], updatedAt: story.lastTime });
  });

  it('keeps a name it knows for an author a Published event names by id alone (written before names were learned)', () => {
    const { story } = approvedStory();
    const dave = { id: 'dave', name: 'Dave Smith' };
    story.assigned({ id: 'dave', name: 'dave' }, 'reporter');
    story.revised({ body: 'Dave\'s paragraph.' }, dave);
    story.published([PEOPLE.alice, { id: 'dave', name: 'dave' }]);
    expect(fold(story.events)!.authors).toEqual([PEOPLE.alice, dave]);
  });

  it('keeps updatedAt on notes, workflow steps and assignments of editors or fact-checkers', () => {
    const { story } = approvedStory();
    story.published();
    const before = fold(story.events)!;
    story.noteAdded();
    story.assigned(PEOPLE.farid, 'fact_checker');
    story.assigned(PEOPLE.erin, 'editor');
    story.assigned(PEOPLE.alice, 'reporter');
    expect(fold(story.events)).toEqual({ ...before, version: before.version + 4 });
  });

  it('keeps the slug and first publication time for good', () => {
    const { story } = approvedStory();
    const published = story.published();
    story.revised({ headline: 'A completely different headline' });
    const row = fold(story.events)!;
    expect(row.slug).toBe(published.data.slug);
    expect(row.publishedAt).toBe(published.data.publishedAt);
  });

  it('leaves the public view on retraction, recording the notice and the time', () => {
    const { story } = approvedStory();
    story.published();
    const retracted = story.retracted('The readout was disputed.');
    const row = fold(story.events)!;
    expect(isPublic(row)).toBe(false);
    expect(row.retraction).toEqual({ reason: 'The readout was disputed.', retractedAt: retracted.data.retractedAt });
    expect(row.updatedAt).toBe(retracted.data.retractedAt);
  });

  describe('idempotency per stream version', () => {
    const { story, claims } = approvedStory();
    story.published();
    story.correctionIssued();
    story.factChecked(claims[1], 'half_true');
    story.assigned(PEOPLE.bob, 'reporter');
    story.noteAdded();
    const row = fold(story.events)!;

    it('changes nothing when the same events arrive again', () => {
      expect(fold(story.events, row)).toBe(row);
    });

    it('changes nothing when old events are replayed out of order', () => {
      expect(fold(shuffled(story.events), row)).toBe(row);
      expect(fold([...story.events].reverse(), row)).toBe(row);
    });

    it('gives the same row whatever the batch boundaries', () => {
      expect(fold(story.events.slice(7), fold(story.events.slice(0, 7)))).toEqual(row);
    });
  });

  it('refuses a stream that does not start with ArticleDrafted', () => {
    const story = new ArticleEvents();
    story.drafted();
    expect(() => evolve(null, story.submitted())).toThrow(/no ArticleDrafted/);
  });
});
