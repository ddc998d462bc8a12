import pg from 'pg';
import type { httpClient, HttpResult } from '../test-app.js';
import { IDENTITIES, tokenOfIdentity } from './actors.js';

type Http = ReturnType<typeof httpClient>;

/** The states a matrix row can need its article in. */
export type FixtureState = 'draft' | 'draft with claim' | 'in_review' | 'approved' | 'published';

/** An article made for one or more matrix cases. */
export interface Fixture {
  id: string;
  state: FixtureState;
  /** Version and global position after the last write that made it. */
  version: number;
  position: number;
  /** A claim without a verdict (state `draft with claim`). */
  claimId: string | null;
  /** Set once published. */
  slug: string | null;
}

async function expectWrite(response: Promise<HttpResult>, what: string): Promise<HttpResult> {
  const result = await response;
  if (result.status !== 200 && result.status !== 201) {
    throw new Error(`fixture step "${what}" answered ${result.status}: ${result.text}`);
  }
  return result;
}

/**
 * An article drafted by the author (alice), with carol assigned as a second reporter, brought
 * to `state` through the public HTTP API by the roles the contract names.
 */
export async function articleIn(http: Http, state: FixtureState, label: string = state): Promise<Fixture> {
  const author = { token: tokenOfIdentity('author') };
  const editor = { token: tokenOfIdentity('editor') };
  const drafted = await expectWrite(
    http.post('/articles', { headline: `Security fixture: ${label}`, body: 'Fixture body.', section: 'security', tags: ['fixture'] }, author),
    'draft',
  );
  const id: string = drafted.body.id;
  let last = await expectWrite(
    http.post(`/articles/${id}/assign`, { userId: IDENTITIES.coAuthor.sub, as: 'reporter', name: IDENTITIES.coAuthor.name }, editor),
    'assign the co-author',
  );
  let claimId: string | null = null;
  if (state === 'draft with claim') {
    last = await expectWrite(http.post(`/articles/${id}/claims`, { text: 'The call lasted ninety minutes.' }, author), 'claim');
    claimId = last.body.claimId;
  }
  if (state === 'in_review' || state === 'approved' || state === 'published') {
    last = await expectWrite(http.post(`/articles/${id}/submit`, undefined, author), 'submit');
  }
  if (state === 'approved' || state === 'published') {
    last = await expectWrite(http.post(`/articles/${id}/approve`, undefined, editor), 'approve');
  }
  let slug: string | null = null;
  if (state === 'published') {
    last = await expectWrite(http.post(`/articles/${id}/publish`, {}, editor), 'publish');
    slug = (await http.get(`/articles/${id}`, editor)).body.slug;
  }
  return { id, state, version: last.body.version, position: last.body.position, claimId, slug };
}

/** Runs the tasks at most `concurrency` at a time (fixtures in bulk without flooding the pool). */
export async function inBatches<T>(tasks: (() => Promise<T>)[], concurrency = 8): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return results;
}

/** Straight to the app's database: did a request write an event, are the tables still there. */
export function databaseProbe(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    /** The global position of the newest event (0 when there is none). */
    async lastPosition(): Promise<number> {
      const { rows } = await pool.query<{ last: string }>('SELECT coalesce(max(position), 0)::text AS last FROM events');
      return Number(rows[0].last);
    },
    async eventCount(): Promise<number> {
      const { rows } = await pool.query<{ count: string }>('SELECT count(*)::text AS count FROM events');
      return Number(rows[0].count);
    },
    /** Every table of the public schema, sorted. */
    async tables(): Promise<string[]> {
      const { rows } = await pool.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      return rows.map((row) => row.name);
    },
    close: () => pool.end(),
  };
}
export type DatabaseProbe = ReturnType<typeof databaseProbe>;
