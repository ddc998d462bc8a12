import { ArticleEvents } from '../../test/support/article-events.js';
import { projectionDatabase, type ProjectionDatabase } from '../../test/support/projection-database.js';
import { seedStory } from '../../test/support/seed-story.js';
import { factCheckQueueProjection } from './fact-check-queue.projection.js';

/** apply against PostgreSQL with the real migrations, fed the seed story. */
describe('fact-check-queue projection: apply (PostgreSQL)', () => {
  let db: ProjectionDatabase;

  beforeAll(async () => {
    db = await projectionDatabase();
  });
  afterAll(async () => db?.close());

  const queue = () =>
    db.dataSource.query(
      `SELECT q.article_id, q.claim_id, q.text, q.quote, a.headline, a.status
         FROM fact_check_queue q JOIN fact_check_queue_articles a USING (article_id)
        ORDER BY q.added_at, q.article_id, q.claim_id`,
    );

  it('queues claims without a verdict, and drops them on a verdict or a retraction', async () => {
    const seed = new ArticleEvents();
    seed.drafted();
    const claims = seedStory.claims.map((claim) => seed.claimAdded(claim.text, claim.quote).data.claimId);
    await db.apply(factCheckQueueProjection, seed.events);
    expect((await queue()).map((row: { text: string }) => row.text)).toEqual(seedStory.claims.map((claim) => claim.text));

    const rated = [seed.factChecked(claims[0], 'true'), seed.factChecked(claims[3], 'false'), seed.revised({ headline: 'Xi presses Trump' })];
    await db.apply(factCheckQueueProjection, rated);
    const remaining = await queue();
    expect(remaining.map((row: { claim_id: string }) => row.claim_id)).toEqual(claims.filter((_, i) => i !== 0 && i !== 3));
    expect(remaining[0]).toMatchObject({ headline: 'Xi presses Trump', status: 'draft', quote: seedStory.claims[1].quote });

    await db.apply(factCheckQueueProjection, [seed.approved(), seed.published(), seed.retracted()]);
    expect(await queue()).toEqual([]);
  });

  it('changes nothing when a batch is applied again', async () => {
    const story = new ArticleEvents();
    story.drafted();
    story.claimAdded();
    story.claimAdded();
    await db.apply(factCheckQueueProjection, story.events);
    const before = await queue();
    await db.apply(factCheckQueueProjection, story.events);
    expect(await queue()).toEqual(before);
  });

  it('writes only through context.table, so a rebuild fills its own copies', async () => {
    await db.dataSource.query('CREATE TABLE fact_check_queue_articles__rebuild (LIKE fact_check_queue_articles INCLUDING ALL)');
    await db.dataSource.query('CREATE TABLE fact_check_queue__rebuild (LIKE fact_check_queue INCLUDING ALL)');
    const live = await queue();
    const story = new ArticleEvents();
    story.drafted();
    story.claimAdded('Only in the rebuild.');
    await db.apply(factCheckQueueProjection, story.events, {
      fact_check_queue_articles: 'fact_check_queue_articles__rebuild',
      fact_check_queue: 'fact_check_queue__rebuild',
    });
    expect(await queue()).toEqual(live);
    expect(await db.dataSource.query('SELECT text FROM fact_check_queue__rebuild')).toEqual([{ text: 'Only in the rebuild.' }]);
  });
});
