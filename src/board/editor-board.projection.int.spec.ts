import { ArticleEvents, PEOPLE } from '../../test/support/article-events.js';
import { projectionDatabase, type ProjectionDatabase } from '../../test/support/projection-database.js';
import { seedStory } from '../../test/support/seed-story.js';
import { editorBoardProjection } from './editor-board.projection.js';

/** apply against PostgreSQL with the real migrations, fed the seed story. */
describe('editor-board projection: apply (PostgreSQL)', () => {
  let db: ProjectionDatabase;
  const seed = new ArticleEvents();
  const other = new ArticleEvents();
  const drafted = seed.drafted();

  beforeAll(async () => {
    db = await projectionDatabase();
    const claims = seedStory.claims.map((claim) => seed.claimAdded(claim.text, claim.quote).data.claimId);
    seed.submitted();
    other.drafted({ headline: 'Second story', section: 'business', tags: [] });
    seed.assigned(PEOPLE.farid, 'fact_checker');
    claims.forEach((claimId, index) => seed.factChecked(claimId, index === 0 ? 'mostly_false' : 'true'));
    other.assigned(PEOPLE.bob, 'reporter');
    seed.approved();
  });
  afterAll(async () => db?.close());

  const rows = () => db.dataSource.query(`SELECT * FROM editor_board ORDER BY updated_at DESC, id DESC`);

  it('writes one row per article, with claim counts, across batches', async () => {
    // Two batches, articles interleaved as they would be in the log.
    const log = [...seed.events, ...other.events].sort((a, b) => a.position - b.position);
    await db.apply(editorBoardProjection, log.slice(0, 9));
    await db.apply(editorBoardProjection, log.slice(9));

    const [first, second] = await rows();
    expect(first).toMatchObject({
      id: seed.articleId,
      version: seed.events.length,
      status: 'approved',
      headline: seedStory.headline,
      section: 'world',
      tags: seedStory.tags,
      authors: [PEOPLE.alice],
      assignees: [{ ...PEOPLE.farid, as: 'fact_checker' }],
      claims_total: 7,
      claims_pending: 0,
      claims_flagged: 1,
      publish_at: null,
      created_at: new Date(drafted.data.draftedAt),
      updated_at: new Date(seed.lastTime),
    });
    expect(second).toMatchObject({
      id: other.articleId,
      version: 2,
      status: 'draft',
      tags: [],
      authors: [PEOPLE.alice, PEOPLE.bob],
      assignees: [{ ...PEOPLE.bob, as: 'reporter' }],
      claims_total: 0,
    });
  });

  it('changes nothing when a batch is applied again', async () => {
    const before = await rows();
    await db.apply(editorBoardProjection, [...seed.events, ...other.events]);
    expect(await rows()).toEqual(before);
  });

  it('writes only through context.table, so a rebuild fills its own copy', async () => {
    await db.dataSource.query('CREATE TABLE editor_board__rebuild (LIKE editor_board INCLUDING ALL)');
    const live = await rows();
    const more = new ArticleEvents();
    more.drafted({ headline: 'Only in the rebuild' });
    await db.apply(editorBoardProjection, [...seed.events, ...more.events], { editor_board: 'editor_board__rebuild' });

    expect(await rows()).toEqual(live);
    const rebuilt = await db.dataSource.query('SELECT id, status FROM editor_board__rebuild ORDER BY id');
    expect(rebuilt).toEqual(
      [
        { id: seed.articleId, status: 'approved' },
        { id: more.articleId, status: 'draft' },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
  });
});
