import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventStore, type DomainEvent, type RecordedEvent } from '#libs/event-store';
import { articleStreamId } from '#libs/contracts';
import { ProblemError } from '#libs/http';
import { createTestDatabase } from '#libs/testing';
import { Clock } from '../common/clock.js';
import { MIGRATIONS } from '../database/migrations.js';
import { ArticleStateCache } from './article-state-cache.js';
import { ArticleStream, type WriteContext } from './article-stream.js';

const reporter = { sub: 'alice', name: 'Alice Chen', roles: ['reporter' as const] };
const editor = { sub: 'erin', name: 'Erin Editor', roles: ['editor' as const] };
const draft = { headline: 'Council passes the budget', body: 'The council voted on Tuesday.', section: 'politics' };

/**
 * Two "processes" on one database, each with its own store and state cache: what one caches must
 * never hide what the other wrote.
 */
describe('ArticleStream with its state cache (PostgreSQL)', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let store: EventStore;
  let one: { stream: ArticleStream; cache: ArticleStateCache };
  let other: { stream: ArticleStream; cache: ArticleStateCache };

  const process = () => {
    const cache = new ArticleStateCache();
    return { cache, stream: new ArticleStream(new EventStore(dataSource), new Clock(), cache) };
  };
  const as = (actor: WriteContext['actor'], articleId: string, expectedVersion?: number): WriteContext => ({ articleId, actor, expectedVersion });

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource({ type: 'postgres', url: database.url, migrations: MIGRATIONS, extra: { max: 4 } });
    await dataSource.initialize();
    await dataSource.runMigrations();
    store = new EventStore(dataSource);
    one = process();
    other = process();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('remembers the state it wrote, and decides on what another process appended since', async () => {
    const articleId = randomUUID();
    await one.stream.execute(as(reporter, articleId), 'DraftArticle', draft);
    expect(one.cache.get(articleStreamId(articleId))?.version).toBe(1);

    // The other process revises the headline and submits; the first still holds version 1.
    await other.stream.execute(as(reporter, articleId), 'ReviseArticle', { changes: { headline: 'Council passes a leaner budget' } });
    await other.stream.execute(as(reporter, articleId), 'SubmitArticle', {});
    expect(one.cache.get(articleStreamId(articleId))?.version).toBe(1);

    // Approving needs the submission the first process never saw written.
    const approved = await one.stream.execute(as(editor, articleId), 'ApproveArticle', {});
    expect(approved.version).toBe(4);
    const cached = one.cache.get(articleStreamId(articleId));
    expect(cached?.version).toBe(4);
    expect(cached?.article.status).toBe('approved');
    expect(cached?.article.content.headline).toBe('Council passes a leaner budget');

    // The cached fold equals the fold of the whole stream.
    const loaded = await other.stream.load(articleId);
    expect(cached?.article).toEqual(loaded.article);
    expect((await store.readStream(articleStreamId(articleId))).map((event) => event.type)).toEqual([
      'ArticleDrafted', 'ArticleRevised', 'ArticleSubmitted', 'ArticleApproved',
    ]);
  });

  it('checks If-Match against the version in the store, not the cached one', async () => {
    const articleId = randomUUID();
    await one.stream.execute(as(reporter, articleId), 'DraftArticle', draft);
    await other.stream.execute(as(reporter, articleId), 'ReviseArticle', { changes: { body: 'Revised elsewhere.' } });

    // Version 1 is what the first process cached, but the article is at version 2.
    const stale = one.stream.execute(as(reporter, articleId, 1), 'ReviseArticle', { changes: { body: 'Lost update?' } });
    await expect(stale).rejects.toMatchObject({ status: 412 });
    await expect(stale).rejects.toBeInstanceOf(ProblemError);
    expect((await store.readStream(articleStreamId(articleId))).map((event) => event.streamVersion)).toEqual([1, 2]);
  });

  describe('when another write lands between the read and the append', () => {
    /** A store whose next stream read lets another process write right after it: the race, on demand. */
    class RacingStore extends EventStore {
      beforeNextAppend?: () => Promise<unknown>;
      override async readStream<E extends DomainEvent = DomainEvent>(...args: Parameters<EventStore['readStream']>): Promise<RecordedEvent<E>[]> {
        const events = await super.readStream<E>(...args);
        const race = this.beforeNextAppend;
        this.beforeNextAppend = undefined;
        await race?.();
        return events;
      }
    }

    it.each([
      ['with If-Match', 1, { status: 412, code: 'version-mismatch' }],
      ['without If-Match', undefined, { status: 409, code: 'concurrent-modification' }],
    ])('%s it refuses and writes nothing, with no retry behind the caller\'s back', async (_, ifMatch, refusal) => {
      const racing = new RacingStore(dataSource);
      const loser = new ArticleStream(racing, new Clock(), new ArticleStateCache());
      const articleId = randomUUID();
      await one.stream.execute(as(reporter, articleId), 'DraftArticle', draft);

      racing.beforeNextAppend = () => other.stream.execute(as(reporter, articleId), 'ReviseArticle', { changes: { body: 'Won the race.' } });
      const lost = loser.execute(as(reporter, articleId, ifMatch), 'ReviseArticle', { changes: { body: 'Lost the race.' } });
      await expect(lost).rejects.toMatchObject(refusal);
      const events = await store.readStream(articleStreamId(articleId));
      expect(events.map((event) => [event.streamVersion, (event.data as { changes?: { body?: string } }).changes?.body])).toEqual([
        [1, undefined],
        [2, 'Won the race.'],
      ]);
    });
  });

  it('keeps the newer fold when an older one is remembered late', () => {
    const cache = new ArticleStateCache();
    const at = (version: number, headline: string) => ({
      version,
      article: { content: { headline, standfirst: '', body: '' }, claims: [], notes: [], corrections: [] } as never,
    });
    cache.remember('article-x', at(3, 'three'));
    cache.remember('article-x', at(2, 'two'));
    expect(cache.get('article-x')?.version).toBe(3);
    cache.remember('article-x', at(4, 'four'));
    expect(cache.get('article-x')?.version).toBe(4);
  });
});
