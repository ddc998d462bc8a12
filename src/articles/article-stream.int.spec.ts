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
  const as = (actor: WriteContext['actor'], articleId: string, expectedVersion?: number): WriteContext =>
    ({ articleId, actor, expectedVersions: expectedVersion === undefined ? undefined : [expectedVersion] });

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

  it('writes on what it knows without reading the stream; reads only when the append or the decision meets a newer version', async () => {
    class CountingStore extends EventStore {
      reads = 0;
      override async readStream<E extends DomainEvent = DomainEvent>(...args: Parameters<EventStore['readStream']>): Promise<RecordedEvent<E>[]> {
        this.reads++;
        return super.readStream<E>(...args);
      }
    }
    const counting = new CountingStore(dataSource);
    const mine = new ArticleStream(counting, new Clock(), new ArticleStateCache());
    const articleId = randomUUID();

    // A draft starts a new stream, then this process knows every version it wrote: no reads.
    await mine.execute(as(reporter, articleId), 'DraftArticle', draft);
    await mine.execute(as(reporter, articleId), 'ReviseArticle', { changes: { body: 'Revised here.' } });
    await mine.execute(as(reporter, articleId, 2), 'SubmitArticle', {});
    expect(counting.reads).toBe(0);

    // Another process writes: this one's next append meets version 4, reads what came after 3, and decides again.
    await other.stream.execute(as(editor, articleId), 'AddEditorialNote', { noteId: randomUUID(), text: 'Written elsewhere.' });
    const approved = await mine.execute(as(editor, articleId), 'ApproveArticle', {});
    expect(approved.version).toBe(5);
    expect(counting.reads).toBe(1);

    // A refusal on what it knows is checked on the stream (here it stands), and nothing is written.
    await expect(mine.execute(as(editor, articleId), 'ApproveArticle', {})).rejects.toMatchObject({ status: 409 });
    expect(counting.reads).toBe(2);
    expect((await store.readStream(articleStreamId(articleId))).map((event) => event.type)).toEqual([
      'ArticleDrafted', 'ArticleRevised', 'ArticleSubmitted', 'EditorialNoteAdded', 'ArticleApproved',
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

  it('lets writes to one article in this process take turns: none overtakes another, If-Match still decides', async () => {
    const articleId = randomUUID();
    await one.stream.execute(as(reporter, articleId), 'DraftArticle', draft);
    const notes = await Promise.all(
      Array.from({ length: 8 }, (_, n) => one.stream.execute(as(reporter, articleId), 'AddEditorialNote', { noteId: randomUUID(), text: `Note ${n}` })),
    );
    expect(notes.map((written) => written.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);

    const sameVersion = await Promise.allSettled(
      Array.from({ length: 4 }, (_, n) => one.stream.execute(as(reporter, articleId, 9), 'AddEditorialNote', { noteId: randomUUID(), text: `If-Match ${n}` })),
    );
    expect(sameVersion.map((outcome) => (outcome.status === 'fulfilled' ? 200 : (outcome.reason as { status: number }).status)).sort()).toEqual([200, 412, 412, 412]);
    expect(await store.readStream(articleStreamId(articleId))).toHaveLength(10);
  });

  describe('when another write lands between the read and the append', () => {
    /** A store whose next stream reads each let another process write right after them: the race, on demand. */
    class RacingStore extends EventStore {
      races: (() => Promise<unknown>)[] = [];
      override async readStream<E extends DomainEvent = DomainEvent>(...args: Parameters<EventStore['readStream']>): Promise<RecordedEvent<E>[]> {
        const events = await super.readStream<E>(...args);
        await this.races.shift()?.();
        return events;
      }
    }

    const bodiesOf = async (articleId: string) =>
      (await store.readStream(articleStreamId(articleId))).map((event) => [event.type, (event.data as { changes?: { body?: string } }).changes?.body]);

    async function race(ifMatch: number | undefined, races: number, winner: 'ReviseArticle' | 'SubmitArticle', loser: 'ReviseArticle' | 'SubmitArticle') {
      const racing = new RacingStore(dataSource);
      const stream = new ArticleStream(racing, new Clock(), new ArticleStateCache());
      const articleId = randomUUID();
      await one.stream.execute(as(reporter, articleId), 'DraftArticle', draft);
      const data = (type: string, body: string) => (type === 'ReviseArticle' ? { changes: { body } } : {});
      racing.races = Array.from({ length: races }, (_, n) => () => other.stream.execute(as(reporter, articleId), winner, data(winner, `Won race ${n + 1}.`) as never));
      const outcome = stream.execute(as(reporter, articleId, ifMatch), loser, data(loser, 'Came second.') as never);
      return { articleId, outcome };
    }

    it('with If-Match it refuses (412) and writes nothing: the caller named the version it saw', async () => {
      const { articleId, outcome } = await race(1, 1, 'ReviseArticle', 'ReviseArticle');
      await expect(outcome).rejects.toMatchObject({ status: 412, code: 'version-mismatch' });
      expect(await bodiesOf(articleId)).toEqual([['ArticleDrafted', undefined], ['ArticleRevised', 'Won race 1.']]);
    });

    it('without If-Match it decides again on the fresh stream and writes after the winner', async () => {
      const { articleId, outcome } = await race(undefined, 2, 'ReviseArticle', 'ReviseArticle');
      await expect(outcome).resolves.toMatchObject({ id: articleId, version: 4 });
      expect(await bodiesOf(articleId)).toEqual([
        ['ArticleDrafted', undefined], ['ArticleRevised', 'Won race 1.'], ['ArticleRevised', 'Won race 2.'], ['ArticleRevised', 'Came second.'],
      ]);
    });

    it('without If-Match the second decision may be the domain\'s refusal, as one write after the other would get', async () => {
      const { articleId, outcome } = await race(undefined, 1, 'SubmitArticle', 'SubmitArticle');
      await expect(outcome).rejects.toMatchObject({ status: 409, code: 'article.invalid-transition' });
      expect(await bodiesOf(articleId)).toEqual([['ArticleDrafted', undefined], ['ArticleSubmitted', undefined]]);
    });

    it('without If-Match, overtaken on every try, it gives up with a 409 and writes nothing', async () => {
      const { articleId, outcome } = await race(undefined, 3, 'ReviseArticle', 'ReviseArticle');
      await expect(outcome).rejects.toMatchObject({ status: 409, code: 'concurrent-modification' });
      expect((await bodiesOf(articleId)).map(([, body]) => body)).toEqual([undefined, 'Won race 1.', 'Won race 2.', 'Won race 3.']);
    });
  });

  it('publishes a story whose short slug another story has under its whole id, so that both stay public', async () => {
    // Two ids with the same last 8 hex digits and headlines that slug alike (Chinese: "article").
    const tail = randomUUID().slice(-8);
    const [first, second] = [randomUUID(), randomUUID()].map((id) => `${id.slice(0, -8)}${tail}`);
    const publish = async (articleId: string, stream: ArticleStream) => {
      await stream.execute(as(reporter, articleId), 'DraftArticle', { ...draft, headline: '议会批准新桥梁' });
      await stream.execute(as(reporter, articleId), 'SubmitArticle', {});
      await stream.execute(as(editor, articleId), 'ApproveArticle', {});
      return stream.execute(as(editor, articleId, 3), 'PublishArticle', {});
    };
    await publish(first, one.stream);
    await expect(publish(second, other.stream)).resolves.toMatchObject({ id: second, version: 4 });

    const slugs = await dataSource.query(
      `SELECT stream_id, data ->> 'slug' AS slug FROM events WHERE type = 'Published' AND stream_id = ANY($1) ORDER BY position`,
      [[articleStreamId(first), articleStreamId(second)]],
    );
    expect(slugs).toEqual([
      { stream_id: articleStreamId(first), slug: `article-${tail}` },
      { stream_id: articleStreamId(second), slug: `article-${second.replace(/-/g, '')}` },
    ]);
    expect((await other.stream.load(second)).article.slug).toBe(`article-${second.replace(/-/g, '')}`);
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
