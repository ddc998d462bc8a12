import { ArticleEvents, PEOPLE } from '../../test/support/article-events.js';
import { projectionDatabase, type ProjectionDatabase } from '../../test/support/projection-database.js';
import { seedStory } from '../../test/support/seed-story.js';
import { publicFeedProjection } from './public-feed.projection.js';

/** apply against PostgreSQL with the real migrations, fed the seed story. */
describe('public-feed projection: apply (PostgreSQL)', () => {
  let db: ProjectionDatabase;
  const seed = new ArticleEvents();

  beforeAll(async () => {
    db = await projectionDatabase();
    seed.drafted({ standfirst: null });
    const claims = seedStory.claims.map((claim) => seed.claimAdded(claim.text, claim.quote).data.claimId);
    seed.submitted();
    seed.approved();
    claims.forEach((claimId) => seed.factChecked(claimId, 'true'));
  });
  afterAll(async () => db?.close());

  const row = async (id: string) => (await db.dataSource.query('SELECT * FROM public_feed WHERE id = $1', [id]))[0];

  it('tracks the article from its draft and publishes it with its slug, claims and corrections', async () => {
    await db.apply(publicFeedProjection, seed.events);
    expect(await row(seed.articleId)).toMatchObject({ slug: null, published_at: null, standfirst: null, retraction: null });

    const published = seed.published([PEOPLE.alice, PEOPLE.bob]);
    const correction = seed.correctionIssued();
    await db.apply(publicFeedProjection, [published, correction]);
    const stored = await row(seed.articleId);
    expect(stored).toMatchObject({
      slug: published.data.slug,
      headline: seedStory.headline,
      body: seedStory.body,
      tags: seedStory.tags,
      authors: [PEOPLE.alice, PEOPLE.bob],
      published_at: new Date(published.data.publishedAt),
      updated_at: new Date(correction.data.issuedAt),
      corrections: [{ id: correction.data.correctionId, kind: 'correction', text: correction.data.text, issuedAt: correction.data.issuedAt }],
    });
    expect(stored.claims).toHaveLength(7);
    expect(stored.claims.every((claim: { verdict: { ratingValue: number } }) => claim.verdict.ratingValue === 5)).toBe(true);
  });

  it('changes nothing when a batch is applied again', async () => {
    const before = await row(seed.articleId);
    await db.apply(publicFeedProjection, seed.events);
    expect(await row(seed.articleId)).toEqual(before);
  });

  it('records the retraction', async () => {
    const retracted = seed.retracted('Disputed readout.');
    await db.apply(publicFeedProjection, [retracted]);
    expect(await row(seed.articleId)).toMatchObject({
      retraction: { reason: 'Disputed readout.', retractedAt: retracted.data.retractedAt },
      updated_at: new Date(retracted.data.retractedAt),
    });
  });

  it('writes only through context.table, so a rebuild fills its own copy', async () => {
    await db.dataSource.query('CREATE TABLE public_feed__rebuild (LIKE public_feed INCLUDING ALL)');
    const live = await db.dataSource.query('SELECT * FROM public_feed ORDER BY id');
    await db.apply(publicFeedProjection, seed.events.slice(0, 3), { public_feed: 'public_feed__rebuild' });
    expect(await db.dataSource.query('SELECT * FROM public_feed ORDER BY id')).toEqual(live);
    expect(await db.dataSource.query('SELECT id, version FROM public_feed__rebuild')).toEqual([{ id: seed.articleId, version: 3 }]);
  });
});
