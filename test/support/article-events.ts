import { v7 as uuidv7 } from 'uuid';
import {
  ARTICLE_STREAM_TYPE,
  articleStreamId,
  VERDICT_RATING_VALUES,
  type ArticleContent,
  type ArticleEvent,
  type AssignmentRole,
  type CorrectionKind,
  type Person,
  type VerdictRating,
} from '#libs/contracts';
import type { ProjectedEvent } from '#libs/projections';
import { articleSlug } from '../../src/articles/domain/article.decider.js';
import { seedStory } from './seed-story.js';

export type ArticleProjectedEvent = ProjectedEvent<ArticleEvent>;

export const PEOPLE = {
  alice: { id: 'alice', name: 'Alice Chen' },
  bob: { id: 'bob', name: 'Bob Osei' },
  erin: { id: 'erin', name: 'Erin Walsh' },
  farid: { id: 'farid', name: 'Farid Haddad' },
} satisfies Record<string, Person>;

let globalPosition = 0;

/**
 * One article's stream as projections receive it, written event by event: each call appends the
 * next version, one minute after the previous event, and returns it (also kept in `events`).
 * Defaults tell the seed story.
 */
export class ArticleEvents {
  readonly events: ArticleProjectedEvent[] = [];
  private clock: number;

  constructor(
    readonly articleId: string = uuidv7(),
    startsAt = '2025-11-24T09:00:00.000Z',
  ) {
    this.clock = Date.parse(startsAt);
  }

  /** The time the last event carries. */
  get lastTime(): string {
    return new Date(this.clock).toISOString();
  }

  private append<T extends ArticleEvent['type']>(
    type: T,
    data: Extract<ArticleEvent, { type: T }>['data'],
  ): ProjectedEvent<Extract<ArticleEvent, { type: T }>> {
    const event: ArticleProjectedEvent = {
      eventId: uuidv7(),
      streamId: articleStreamId(this.articleId),
      streamType: ARTICLE_STREAM_TYPE,
      streamVersion: this.events.length + 1,
      key: this.articleId,
      type,
      data,
      position: ++globalPosition,
      recordedAt: new Date(this.clock),
    } as ArticleProjectedEvent;
    this.events.push(event);
    return event as ProjectedEvent<Extract<ArticleEvent, { type: T }>>;
  }

  private tick(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString();
  }

  drafted(content: Partial<ArticleContent> = {}, author: Person = PEOPLE.alice) {
    return this.append('ArticleDrafted', {
      articleId: this.articleId,
      headline: seedStory.headline,
      standfirst: 'Xi raises Taiwan; both leaders plan state visits.',
      body: seedStory.body,
      section: seedStory.section,
      tags: seedStory.tags,
      ...content,
      author,
      draftedAt: new Date(this.clock).toISOString(),
    });
  }

  revised(changes: Partial<ArticleContent>, by: Person = PEOPLE.erin) {
    return this.append('ArticleRevised', { articleId: this.articleId, changes, revisedBy: by, revisedAt: this.tick() });
  }

  submitted(by: Person = PEOPLE.alice) {
    return this.append('ArticleSubmitted', { articleId: this.articleId, submittedBy: by, submittedAt: this.tick() });
  }

  changesRequested(reason = 'Attribute the tariff figures.') {
    return this.append('ChangesRequested', { articleId: this.articleId, reason, requestedBy: PEOPLE.erin, requestedAt: this.tick() });
  }

  approved() {
    return this.append('ArticleApproved', { articleId: this.articleId, approvedBy: PEOPLE.erin, approvedAt: this.tick() });
  }

  claimAdded(text: string = seedStory.claims[0].text, quote: string | null = null, by: Person = PEOPLE.alice) {
    return this.append('ClaimAdded', { articleId: this.articleId, claimId: uuidv7(), text, quote, addedBy: by, addedAt: this.tick() });
  }

  factChecked(claimId: string, rating: VerdictRating = 'true') {
    return this.append('FactChecked', {
      articleId: this.articleId,
      claimId,
      rating,
      ratingValue: VERDICT_RATING_VALUES[rating],
      explanation: 'Matches the White House and Xinhua readouts.',
      sources: ['https://english.news.cn/'],
      checkedBy: PEOPLE.farid,
      checkedAt: this.tick(),
    });
  }

  scheduled(publishAt: string) {
    return this.append('PublishScheduled', { articleId: this.articleId, publishAt, scheduledBy: PEOPLE.erin, scheduledAt: this.tick() });
  }

  /** Publishes the content as the stream's events leave it (like the decider does). */
  published(authors: Person[] = [PEOPLE.alice]) {
    const content = this.currentContent();
    return this.append('Published', {
      articleId: this.articleId,
      ...content,
      slug: articleSlug(content.headline, this.articleId),
      authors,
      publishedAt: this.tick(),
      publishedBy: PEOPLE.erin,
      overrideReason: null,
      scheduled: false,
    });
  }

  correctionIssued(text = 'An earlier version misstated the length of the call.', kind: CorrectionKind = 'correction') {
    return this.append('CorrectionIssued', {
      articleId: this.articleId,
      correctionId: uuidv7(),
      kind,
      text,
      issuedBy: PEOPLE.erin,
      issuedAt: this.tick(),
    });
  }

  retracted(reason = 'The call readout was later disputed.') {
    return this.append('ArticleRetracted', { articleId: this.articleId, reason, retractedBy: PEOPLE.erin, retractedAt: this.tick() });
  }

  noteAdded(text = 'Legal checked the Taiwan paragraph.') {
    return this.append('EditorialNoteAdded', { articleId: this.articleId, noteId: uuidv7(), text, author: PEOPLE.farid, addedAt: this.tick() });
  }

  assigned(assignee: Person, as: AssignmentRole) {
    return this.append('ArticleAssigned', { articleId: this.articleId, assignee, as, assignedBy: PEOPLE.erin, assignedAt: this.tick() });
  }

  private currentContent(): ArticleContent {
    let content: ArticleContent | undefined;
    for (const event of this.events) {
      if (event.type === 'ArticleDrafted') {
        const { headline, standfirst, body, section, tags } = event.data;
        content = { headline, standfirst, body, section, tags };
      } else if (event.type === 'ArticleRevised' && content) content = { ...content, ...event.data.changes };
    }
    if (!content) throw new Error('publish before draft');
    return content;
  }
}

/** Fisher–Yates with a fixed seed, so a failing "replayed in any order" case replays the same way. */
export function shuffled<T>(items: readonly T[], seed = 42): T[] {
  const result = [...items];
  let state = seed;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}
