/**
 * npm run bench:reactions
 *
 * Reactions end to end over HTTP against the real service (API + relay + projections in one
 * process, as `npm start` runs it) on real PostgreSQL and Kafka on this machine: many readers on
 * 1 and on 20 hot stories, latency, the time until the counts show in /feed, exact counts, the
 * service's peak memory, editorial latency with and without the flood, and GET /feed throughput.
 * Reference measured in the same run: GET /health, the HTTP stack with no work behind it.
 *
 * Settings (env): BENCH_SECONDS (20), BENCH_CONNECTIONS (64), BENCH_FEED_SECONDS (10).
 */
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { REACTION_KINDS, type ReactionCounts, type ReactionKind } from '#libs/contracts';
import { envNumber, fmtInt, fmtMs, fmtRatio, LatencyRecorder, now, passFail, renderTable, sleep } from './bench-utils.js';
import { publishStory, startService, type ServiceProcess } from './service-process.js';

const SECONDS = envNumber('BENCH_SECONDS', 20);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 64);
const FEED_SECONDS = envNumber('BENCH_FEED_SECONDS', 10);
// Enough readers per connection to stay under the per-reader limit (30 a minute) at full speed.
const READERS_PER_CONNECTION = 400;

interface ReactionRun {
  stories: number;
  requestsPerSecond: number;
  okPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  rateLimited: number;
  errors: number;
  countsVisibleMs: number;
  exact: boolean;
  editorial?: { p50: number; p99: number; count: number };
}

interface ConnectionContext {
  readers?: { id: string; address: string }[];
  turn?: number;
}

const randomReaderId = () => `r${Math.random().toString(36).slice(2, 12)}${Math.random().toString(36).slice(2, 8)}`;
const randomAddress = () => `10.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}.${1 + ((Math.random() * 250) | 0)}`;

async function main(): Promise<void> {
  const service = await startService({ TRUST_PROXY: 'true' });
  let rssPeakSampled = 0;
  const sampler = setInterval(() => (rssPeakSampled = Math.max(rssPeakSampled, service.rssMb())), 250);
  try {
    const stories = [];
    for (let i = 0; i < 20; i++) stories.push(await publishStory(service, `Benchmark story number ${i + 1}`));
    const staff = service.token(['editor', 'reporter'], 'bench-editor');

    await cannon(service.url, { method: 'GET', path: '/health' }, 3, CONNECTIONS); // warm-up
    const floor = await cannon(service.url, { method: 'GET', path: '/health' }, FEED_SECONDS, CONNECTIONS);
    const quietEditorial = await editorialLoop(service.url, stories[0].id, staff, 5);

    const finalStates = new Map<string, ReactionKind | null>();
    const hot = await reactionRun(service, [stories[0]], finalStates, staff);
    const spread = await reactionRun(service, stories, finalStates, staff);

    const feed = await cannon(service.url, { method: 'GET', path: '/feed' }, FEED_SECONDS, CONNECTIONS);
    const peakRss = Math.max(service.peakRssMb(), rssPeakSampled);
    report({ floor, quietEditorial, hot, spread, feed, peakRss });
  } finally {
    clearInterval(sampler);
    await service.stop();
  }
}

/** One autocannon run of a single request; requests/s and latency. */
async function cannon(url: string, request: autocannon.Request, seconds: number, connections: number) {
  const result = await autocannon({ url, connections, duration: seconds, requests: [request] });
  return {
    requestsPerSecond: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** A staff member working while readers react: alternately reads the article and adds a note. */
async function editorialLoop(url: string, articleId: string, token: string, seconds: number, stop?: () => boolean) {
  const latencies = new LatencyRecorder();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const deadline = Date.now() + seconds * 1000;
  for (let i = 0; (stop ? !stop() : true) && Date.now() < deadline; i++) {
    const started = now();
    const response =
      i % 2 === 0
        ? await fetch(`${url}/articles/${articleId}`, { headers })
        : await fetch(`${url}/articles/${articleId}/notes`, { method: 'POST', headers, body: JSON.stringify({ text: `Note ${i}` }) });
    await response.arrayBuffer();
    if (response.ok) latencies.record(now() - started);
  }
  const summary = latencies.summary();
  return { p50: summary.p50, p99: summary.p99, count: summary.count };
}

/**
 * Readers react for SECONDS: each connection has its own readers (each with its own address), so a
 * reader's requests never overlap and the last answer of each reader is their final reaction.
 */
async function reactionRun(
  service: ServiceProcess,
  stories: { id: string; slug: string }[],
  finalStates: Map<string, ReactionKind | null>,
  staffToken: string,
): Promise<ReactionRun> {
  let rateLimited = 0;
  const request: autocannon.Request = {
    method: 'POST',
    path: '/',
    setupRequest: (req: any, context: ConnectionContext) => {
      context.readers ??= Array.from({ length: READERS_PER_CONNECTION }, () => ({ id: randomReaderId(), address: randomAddress() }));
      context.turn = ((context.turn ?? -1) + 1) % context.readers.length;
      const reader = context.readers[context.turn];
      const story = stories[(Math.random() * stories.length) | 0];
      const remove = Math.random() < 0.1;
      return {
        ...req,
        method: remove ? 'DELETE' : 'POST',
        path: `/public/articles/${story.id}/reactions`,
        headers: {
          ...(remove ? {} : { 'content-type': 'application/json' }),
          'x-reader-id': reader.id,
          'x-forwarded-for': reader.address,
          // Echoed back by the service: autocannon may set up the next request before this answer.
          'x-request-id': `${story.id}.${reader.id}`,
        },
        body: remove ? undefined : JSON.stringify({ kind: REACTION_KINDS[(Math.random() * REACTION_KINDS.length) | 0] }),
      };
    },
    onResponse: (status: number, body: string, _context: object, headers?: Record<string, string | string[] | undefined>) => {
      if (status === 200) finalStates.set(String(headers?.['x-request-id']), JSON.parse(body).yourReaction);
      else if (status === 429) rateLimited++;
      else if (process.env.BENCH_DEBUG) process.stderr.write(`${status} ${body.slice(0, 300)}\n`);
    },
  };

  let flooding = true;
  const editorial = editorialLoop(service.url, stories[0].id, staffToken, SECONDS + 5, () => !flooding);
  const result = await autocannon({ url: service.url, connections: CONNECTIONS, duration: SECONDS, requests: [request] });
  flooding = false;
  const loadEnded = now();

  const expected = expectedCounts(finalStates, stories);
  const visible = await waitForFeedCounts(service.url, expected);
  const countsVisibleMs = now() - loadEnded;
  const exact = visible && (await storedCountsMatch(service.databaseUrl, expected));
  const ok = result['2xx'];
  return {
    stories: stories.length,
    requestsPerSecond: result.requests.total / SECONDS,
    okPerSecond: ok / SECONDS,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    rateLimited,
    errors: result.errors + result.timeouts,
    countsVisibleMs,
    exact,
    editorial: await editorial,
  };
}

function expectedCounts(finalStates: Map<string, ReactionKind | null>, stories: { id: string }[]): Map<string, ReactionCounts> {
  const expected = new Map<string, ReactionCounts>();
  for (const story of stories) expected.set(story.id, Object.fromEntries(REACTION_KINDS.map((k) => [k, 0])) as ReactionCounts);
  for (const [key, kind] of finalStates) {
    const counts = expected.get(key.split('.')[0]);
    if (counts && kind) counts[kind]++;
  }
  return expected;
}

/** Polls /feed until every story shows exactly the expected counts (60 s at most). */
async function waitForFeedCounts(url: string, expected: Map<string, ReactionCounts>): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const feed = (await (await fetch(`${url}/feed?limit=100`)).json()) as { items: { id: string; reactions: ReactionCounts }[] };
    const shown = new Map(feed.items.map((item) => [item.id, item.reactions]));
    if ([...expected].every(([id, counts]) => JSON.stringify(shown.get(id)) === JSON.stringify(counts))) return true;
    await sleep(25);
  }
  return false;
}

/** The projection's table and a recount from the event store both equal what readers were told. */
async function storedCountsMatch(databaseUrl: string, expected: Map<string, ReactionCounts>): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`
      SELECT data->>'articleId' AS article_id, data->>'kind' AS kind, count(*)::int AS n
        FROM (SELECT DISTINCT ON (stream_id) type, data FROM events WHERE stream_type = 'reaction'
               ORDER BY stream_id, stream_version DESC) AS latest
       WHERE type <> 'ReactionRemoved'
       GROUP BY 1, 2`);
    for (const [id, counts] of expected) {
      for (const kind of REACTION_KINDS) {
        const recounted = rows.find((row) => row.article_id === id && row.kind === kind)?.n ?? 0;
        if (recounted !== counts[kind]) return false;
      }
    }
    return true;
  } finally {
    await client.end();
  }
}

function report(results: {
  floor: Awaited<ReturnType<typeof cannon>>;
  quietEditorial: { p50: number; p99: number; count: number };
  hot: ReactionRun;
  spread: ReactionRun;
  feed: Awaited<ReturnType<typeof cannon>>;
  peakRss: number;
}): void {
  const { floor, quietEditorial, hot, spread, feed, peakRss } = results;
  const lines = [
    '',
    'bench:reactions — reactions end to end over HTTP (API + relay + Kafka-fed projections in one service process)',
    `machine: ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; PostgreSQL and Kafka on the same machine`,
    `settings: ${SECONDS} s per run, ${CONNECTIONS} connections, ${READERS_PER_CONNECTION} readers per connection, 10% removals, default rate limits`,
    '',
    renderTable(
      ['run', 'req/s', '2xx/s', 'p50 ms', 'p99 ms', '429', 'other non-2xx', 'errors', 'counts in /feed after', 'exact counts'],
      [hot, spread].map((run) => [
        `${run.stories} hot ${run.stories === 1 ? 'story' : 'stories'}`,
        fmtInt(run.requestsPerSecond),
        fmtInt(run.okPerSecond),
        fmtMs(run.p50),
        fmtMs(run.p99),
        fmtInt(run.rateLimited),
        fmtInt(run.non2xx - run.rateLimited),
        fmtInt(run.errors),
        `${fmtMs(run.countsVisibleMs)} ms`,
        run.exact ? 'yes' : 'NO',
      ]),
    ),
    '',
    renderTable(
      ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'vs GET /health'],
      [
        ['GET /health (reference: no work)', fmtInt(floor.requestsPerSecond), fmtMs(floor.p50), fmtMs(floor.p99), fmtInt(floor.non2xx), '1.00x'],
        ['GET /feed', fmtInt(feed.requestsPerSecond), fmtMs(feed.p50), fmtMs(feed.p99), fmtInt(feed.non2xx), fmtRatio(feed.requestsPerSecond / floor.requestsPerSecond)],
        ['reactions, 1 hot story', fmtInt(hot.requestsPerSecond), fmtMs(hot.p50), fmtMs(hot.p99), fmtInt(hot.non2xx), fmtRatio(hot.requestsPerSecond / floor.requestsPerSecond)],
        ['reactions, 20 hot stories', fmtInt(spread.requestsPerSecond), fmtMs(spread.p50), fmtMs(spread.p99), fmtInt(spread.non2xx), fmtRatio(spread.requestsPerSecond / floor.requestsPerSecond)],
      ],
    ),
    '',
    renderTable(
      ['editorial (GET article / POST note, one at a time)', 'requests', 'p50 ms', 'p99 ms', 'p99 vs quiet'],
      [
        ['quiet', fmtInt(quietEditorial.count), fmtMs(quietEditorial.p50), fmtMs(quietEditorial.p99), '1.00x'],
        ...[hot, spread].map((run) => [
          `during ${run.stories} hot ${run.stories === 1 ? 'story' : 'stories'} flood`,
          fmtInt(run.editorial!.count),
          fmtMs(run.editorial!.p50),
          fmtMs(run.editorial!.p99),
          fmtRatio(run.editorial!.p99 / quietEditorial.p99),
        ]),
      ],
    ),
    '',
    `service peak RSS: ${peakRss.toFixed(0)} MB`,
    '',
    'targets:',
    ...[hot, spread].map(
      (run) =>
        `  ${passFail(run.okPerSecond >= 2000)} >= 2,000 reactions/s (${run.stories} stories): ${fmtInt(run.okPerSecond)}/s` +
        `\n  ${passFail(run.p99 < 100)} p99 < 100 ms (${run.stories} stories): ${fmtMs(run.p99)} ms` +
        `\n  ${passFail(run.exact)} exact counts (${run.stories} stories)`,
    ),
    `  ${passFail(peakRss < 300)} service RSS < 300 MB: ${peakRss.toFixed(0)} MB`,
    `  ${passFail(feed.requestsPerSecond >= 3000)} GET /feed >= 3,000 requests/s: ${fmtInt(feed.requestsPerSecond)}/s`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
