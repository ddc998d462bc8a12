import { DataSource } from 'typeorm';
import { ARTICLE_CLOUD_EVENT_TYPES, ARTICLE_STREAM_TYPE, articleStreamId } from '#libs/contracts';
import { EVENT_STORE_MIGRATIONS, EventStore, type EventMetadata } from '#libs/event-store';
import { createTestDatabase } from '#libs/testing';
import { CreateRelayCheckpoints1764230100000 } from '../migrations/1764230100000-create-relay-checkpoints.js';

/** Test-only: an event store to relay from (not exported from the library). */

export interface TestStore {
  dataSource: DataSource;
  store: EventStore;
  close(): Promise<void>;
}

/** A fresh database with the event store and relay checkpoint migrations applied. */
export async function createTestStore(): Promise<TestStore> {
  const database = await createTestDatabase();
  const dataSource = new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: [...EVENT_STORE_MIGRATIONS, CreateRelayCheckpoints1764230100000],
    extra: { max: 20 },
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return {
    dataSource,
    store: new EventStore(dataSource),
    close: async () => {
      await dataSource.destroy().catch(() => undefined);
      await database.drop();
    },
  };
}

const metadata: EventMetadata = { actor: { sub: 'alice', name: 'Alice Chen', roles: ['reporter', 'editor'] } };
const ARTICLE_EVENT_TYPES = Object.keys(ARTICLE_CLOUD_EVENT_TYPES);

/**
 * Appends `count` events to the article's stream (`article-<id>`, as the service names it: stream
 * id and article id differ), whose next version is `fromVersion + 1`.
 */
export async function appendArticleEvents(store: EventStore, articleId: string, fromVersion: number, count = 1) {
  return store.appendToStream(
    articleStreamId(articleId),
    Array.from({ length: count }, (_, i) => ({
      type: ARTICLE_EVENT_TYPES[(fromVersion + i) % ARTICLE_EVENT_TYPES.length],
      data: { articleId, n: fromVersion + i + 1, note: `event ${fromVersion + i + 1} of ${articleId}` },
    })),
    { streamType: ARTICLE_STREAM_TYPE, expectedVersion: fromVersion, metadata },
  );
}
