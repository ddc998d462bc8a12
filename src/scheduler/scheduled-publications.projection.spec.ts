import { ArticleEvents, type ArticleProjectedEvent } from '../../test/support/article-events.js';
import { evolveSchedule } from './scheduled-publications.projection.js';

const fold = (events: readonly ArticleProjectedEvent[], publishAt: string | null = null) =>
  events.reduce<string | null>(evolveSchedule, publishAt);

const SIX_AM = '2025-12-01T06:00:00.000Z';
const NINE_AM = '2025-12-01T09:00:00.000Z';

/** An approved story with a claim that has a verdict, as the scheduler finds it. */
function approvedStory(): ArticleEvents {
  const story = new ArticleEvents();
  story.drafted();
  const claim = story.claimAdded().data.claimId;
  story.factChecked(claim, 'true');
  story.submitted();
  story.approved();
  return story;
}

describe('scheduled-publications projection: evolveSchedule', () => {
  it('lists nothing for a story that was never scheduled', () => {
    const story = approvedStory();
    expect(fold(story.events)).toBeNull();
    story.published();
    expect(fold(story.events)).toBeNull();
  });

  it('lists a scheduled story with its publication time', () => {
    const story = approvedStory();
    story.scheduled(SIX_AM);
    expect(fold(story.events)).toBe(SIX_AM);
  });

  it('moves a rescheduled story to its new time, earlier or later', () => {
    const story = approvedStory();
    story.scheduled(SIX_AM);
    story.scheduled(NINE_AM);
    expect(fold(story.events)).toBe(NINE_AM);
    story.scheduled(SIX_AM);
    expect(fold(story.events)).toBe(SIX_AM);
  });

  it('keeps a scheduled story listed through claims, verdicts, revisions and notes', () => {
    const story = approvedStory();
    story.scheduled(SIX_AM);
    // A claim added after scheduling closes the gate; the story stays scheduled (an embargo).
    const claim = story.claimAdded('Tariffs average just under 50%.').data.claimId;
    story.factChecked(claim, 'false');
    story.revised({ headline: 'Revised while scheduled' });
    story.noteAdded();
    expect(fold(story.events)).toBe(SIX_AM);
  });

  it('drops a story once it is published', () => {
    const story = approvedStory();
    story.scheduled(SIX_AM);
    story.published();
    expect(fold(story.events)).toBeNull();
  });

  it('drops a story on retraction, whatever it held', () => {
    const story = approvedStory();
    story.scheduled(SIX_AM);
    expect(evolveSchedule(SIX_AM, story.retracted())).toBeNull();
  });

  it('does not list a published story again on its corrections and retraction', () => {
    const story = approvedStory();
    story.scheduled(SIX_AM);
    story.published();
    story.correctionIssued();
    story.retracted();
    expect(fold(story.events)).toBeNull();
  });

  describe('the same events again', () => {
    const scheduled = approvedStory();
    scheduled.scheduled(SIX_AM);
    scheduled.claimAdded();
    const rescheduled = approvedStory();
    rescheduled.scheduled(SIX_AM);
    rescheduled.scheduled(NINE_AM);
    rescheduled.noteAdded();
    const published = approvedStory();
    published.scheduled(SIX_AM);
    published.published();
    published.correctionIssued();
    const retracted = approvedStory();
    retracted.scheduled(SIX_AM);
    retracted.published();
    retracted.retracted();
    const stories = { scheduled, rescheduled, published, retracted };

    it.each(Object.keys(stories))('change nothing for a %s story, whole or from any event on, in order', (name) => {
      const { events } = stories[name as keyof typeof stories];
      const publishAt = fold(events);
      for (let from = 0; from < events.length; from++) expect(fold(events.slice(from), publishAt)).toBe(publishAt);
    });

    it('give the same value whatever the batch boundaries', () => {
      for (const { events } of Object.values(stories)) {
        for (let cut = 0; cut <= events.length; cut++) {
          expect(fold(events.slice(cut), fold(events.slice(0, cut)))).toBe(fold(events));
        }
      }
    });

    // evolveSchedule keeps no version: out-of-order replays are dropped by the runner per stream
    // version before they reach it (scheduled-publications.projection.int.spec.ts).
  });
});
