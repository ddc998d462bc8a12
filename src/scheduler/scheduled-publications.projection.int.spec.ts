import { ProjectionApplier, type ProjectedEvent } from '#libs/projections';
import { ArticleEvents, shuffled } from '../../test/support/article-events.js';
import { projectionDatabase, type ProjectionDatabase } from '../../test/support/projection-database.js';
import { scheduledPublicationsProjection } from './scheduled-publications.projection.js';

const SIX_AM = '2025-12-01T06:00:00.000Z';
const NINE_AM = '2025-12-01T09:00:00.000Z';
const NOON = '2025-12-01T12:00:00.000Z';

function approvedStory(): ArticleEvents {
  const story = new ArticleEvents();
  story.drafted();
  story.submitted();
  story.approved();
  return story;
}

/** apply against PostgreSQL with the real migrations. */
describe('scheduled-publications projection: apply (PostgreSQL)', () => {
  let db: ProjectionDatabase;

  beforeAll(async () => {
    db = await projectionDatabase();
  });
  afterAll(async () => db?.close());

  const rows = (table = 'scheduled_publications'): Promise<{ article_id: string; publish_at: Date }[]> =>
    db.dataSource.query(`SELECT article_id, publish_at FROM ${table} ORDER BY publish_at`);
  const row = (story: ArticleEvents, publishAt: string) => ({ article_id: story.articleId, publish_at: new Date(publishAt) });

  it('lists scheduled stories with their time, moves rescheduled ones, drops published ones, across batches', async () => {
    const early = approvedStory();
    const late = approvedStory();
    const published = approvedStory();
    const never = approvedStory();
    early.scheduled(NINE_AM);
    late.scheduled(NOON);
    published.scheduled(SIX_AM);
    await db.apply(scheduledPublicationsProjection, [...early.events, ...late.events, ...published.events, ...never.events]);
    expect(await rows()).toEqual([row(published, SIX_AM), row(early, NINE_AM), row(late, NOON)]);

    // The next batch: early moves earlier, late gets a claim (it stays listed), published goes.
    await db.apply(scheduledPublicationsProjection, [early.scheduled(SIX_AM), late.claimAdded(), published.published(), never.noteAdded()]);
    expect(await rows()).toEqual([row(early, SIX_AM), row(late, NOON)]);

    // Rescheduled and published within one batch.
    await db.apply(scheduledPublicationsProjection, [late.scheduled(SIX_AM), late.published(), late.correctionIssued()]);
    expect(await rows()).toEqual([row(early, SIX_AM)]);

    await db.apply(scheduledPublicationsProjection, [early.published(), early.retracted()]);
    expect(await rows()).toEqual([]);
  });

  it('changes nothing when a batch is applied again', async () => {
    const scheduled = approvedStory();
    scheduled.scheduled(SIX_AM);
    scheduled.scheduled(NINE_AM);
    const published = approvedStory();
    published.scheduled(SIX_AM);
    published.published();
    const batch = [...scheduled.events, ...published.events];
    await db.apply(scheduledPublicationsProjection, batch);
    const before = await rows();
    expect(before).toEqual([row(scheduled, NINE_AM)]);
    await db.apply(scheduledPublicationsProjection, batch);
    expect(await rows()).toEqual(before);
    await db.dataSource.query('DELETE FROM scheduled_publications');
  });

  it('changes nothing when the runner gets old events again, out of order', async () => {
    const applier = new ProjectionApplier(scheduledPublicationsProjection);
    const deliver = (batch: readonly ProjectedEvent[]) =>
      db.dataSource.transaction(async (tx) => {
        await applier.lock(tx, 'exclusive');
        return applier.applyBatch(tx, batch);
      });
    const scheduled = approvedStory();
    scheduled.scheduled(SIX_AM);
    scheduled.scheduled(NINE_AM);
    const published = approvedStory();
    published.scheduled(SIX_AM);
    published.published();
    const events = [...scheduled.events, ...published.events];
    expect(await deliver(events)).toMatchObject({ applied: events.length, parked: 0 });
    const before = await rows();
    expect(before).toEqual([row(scheduled, NINE_AM)]);

    // A PublishScheduled replayed after its Published must not list the story again.
    expect(await deliver(shuffled(events))).toMatchObject({ applied: 0, skipped: events.length, parked: 0 });
    expect(await deliver([...events].reverse())).toMatchObject({ applied: 0, skipped: events.length, parked: 0 });
    expect(await rows()).toEqual(before);
    await db.dataSource.query('DELETE FROM scheduled_publications');
  });

  it('writes only through context.table, so a rebuild fills its own copy', async () => {
    const live = approvedStory();
    live.scheduled(SIX_AM);
    await db.apply(scheduledPublicationsProjection, live.events);
    await db.dataSource.query('CREATE TABLE scheduled_publications__rebuild (LIKE scheduled_publications INCLUDING ALL)');
    const rebuilt = approvedStory();
    rebuilt.scheduled(NINE_AM);
    await db.apply(scheduledPublicationsProjection, rebuilt.events, { scheduled_publications: 'scheduled_publications__rebuild' });
    expect(await rows()).toEqual([row(live, SIX_AM)]);
    expect(await rows('scheduled_publications__rebuild')).toEqual([row(rebuilt, NINE_AM)]);
  });
});
