/**
 * npm run bench:reactions
 *
 * Reactions end to end over HTTP against the real service (API + relay + projections in one
 * process, as `npm start` runs it) on real PostgreSQL and Kafka on this machine: many readers on
 * 1 and on 20 hot stories, latency, the time until the counts show in /feed, exact counts, the
 * service's peak memory, editorial latency with and without the flood, and GET /feed throughput.
 * Reference measured in the same run: GET /health, the HTTP stack with no work behind it. The CPU
 * every process on the machine used per reaction (/proc) says what a result costs and how many
 * reactions/s the cores could carry at that cost.
 *
 * Readers react as fast as the service answers (the throughput runs), then at a steady
 * BENCH_STEADY_RATE a second (a busy day, below what the box can carry): how much a flood slows the
 * desk depends on whether it saturates the service.
 *
 * Settings (env): BENCH_SECONDS (20), BENCH_CONNECTIONS (64), BENCH_FEED_SECONDS (10), BENCH_STEADY_RATE (1000),
 * BENCH_TOPOLOGY (`single`: API and workers in one process as `npm start`; `split`: `start:api`
 * and `start:worker` side by side).
 */
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { REACTION_KINDS, type ReactionCounts, type ReactionKind } from '#libs/contracts';
import { loadConfig } from '../src/config/app-config.js';
import { envNumber, fmtInt, fmtMs, fmtRatio, LatencyRecorder, now, passFail, renderTable, sleep } from './bench-utils.js';
import { CpuMeter, pidsNamed, type CpuReport } from './projections-sys.js';
import { publishStory, startService, type ServiceProcess, type Topology } from './service-process.js';

function randomReaderId(): string {
  return `r${Math.random().toString(36).slice(2, 12)}${Math.random().toString(36).slice(2, 8)}`;
}
function randomAddress(): string {
  return `10.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}.${1 + ((Math.random() * 250) | 0)}`;
}

const SECONDS = envNumber('BENCH_SECONDS', 20);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 64);
const FEED_SECONDS = envNumber('BENCH_FEED_SECONDS', 10);
const STEADY_RATE = envNumber('BENCH_STEADY_RATE', 1000);
const TOPOLOGY: Topology = process.env.BENCH_TOPOLOGY === 'split' ? 'split' : 'single';
// Enough readers per connection to stay under the per-reader limit (30 a minute) at full speed.
const READERS_PER_CONNECTION = 400;
// Each reader has an address of their own (X-Forwarded-For, trusted by the service): readers of a
// public story come from many homes and phones, so the per-address limit sees one reader each.
const READERS = Array.from({ length: CONNECTIONS * READERS_PER_CONNECTION }, () => ({ id: randomReaderId(), address: randomAddress() }));
const SERVICE_ENV = { TRUST_PROXY: 'true' };
// The limits the service runs with: its defaults, as startService passes no REACTION_RATE_* setting.
const RATE_LIMITS = loadConfig(SERVICE_ENV).reactions;

interface ReactionRun {
  label: string;
  /** The steady rate asked for; undefined for a run as fast as answered. */
  rate?: number;
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
  /** CPU of every process on the machine while the load ran, and the reactions answered 2xx. */
  cpu: CpuReport;
  answered: number;
}

const KIND_BODIES = REACTION_KINDS.map((kind) => JSON.stringify({ kind }));
// The answer's own reaction, without parsing the whole body (the load generator shares the CPUs).
const YOUR_REACTION = /"yourReaction":(?:null|"(\w+)")/;


async function main(): Promise<void> {
  const service = await startService(SERVICE_ENV, TOPOLOGY);
  const rssPeakSampled = new Map<string, number>();
  const sampler = setInterval(() => {
    for (const { role, mb } of service.rssMb()) rssPeakSampled.set(role, Math.max(rssPeakSampled.get(role) ?? 0, mb));
  }, 250);
  try {
    const stories = [];
    for (let i = 0; i < 20; i++) stories.push(await publishStory(service, `Benchmark story number ${i + 1}`));
    const staff = service.token(['editor', 'reporter'], 'bench-editor');
    const desk = await publishStory(service, 'A story the desk keeps working on');

    await cannon(service.url, { method: 'GET', path: '/health' }, 3, CONNECTIONS); // warm-up
    const floor = await cannon(service.url, { method: 'GET', path: '/health' }, FEED_SECONDS, CONNECTIONS);
    const quietEditorial = await editorialLoop(service.url, desk.id, staff, 5);

    const view: ClientView = { finalStates: new Map(), unanswered: new Set() };
    const hot = await reactionRun(service, [stories[0]], view, staff, desk.id);
    const spread = await reactionRun(service, stories, view, staff, desk.id);
    const steady = await reactionRun(service, stories, view, staff, desk.id, STEADY_RATE);

    const feed = await cannon(service.url, { method: 'GET', path: '/feed' }, FEED_SECONDS, CONNECTIONS);
    const peakRss = service.peakRssMb().map(({ role, mb }) => ({ role, mb: Math.max(mb, rssPeakSampled.get(role) ?? 0) }));
    report({ floor, quietEditorial, hot, spread, steady, feed, peakRss, databaseServer: service.databaseServer });
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
    okPerSecond: result['2xx'] / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/**
 * A staff member working while readers react, one request at a time: reads a story, looks at the
 * board, drafts a new story (a write through the same event store the reactions flood).
 */
async function editorialLoop(url: string, articleId: string, token: string, seconds: number, stop?: () => boolean) {
  const latencies = new LatencyRecorder();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const deadline = Date.now() + seconds * 1000;
  for (let i = 0; (stop ? !stop() : true) && Date.now() < deadline; i++) {
    const started = now();
    const response =
      i % 3 === 0
        ? await fetch(`${url}/articles/${articleId}`, { headers })
        : i % 3 === 1
          ? await fetch(`${url}/board?limit=20`, { headers })
          : await fetch(`${url}/articles`, { method: 'POST', headers, body: JSON.stringify({ headline: `Desk draft ${i}`, body: 'Notes for a story.', section: 'local' }) });
    await response.arrayBuffer();
    if (response.ok) latencies.record(now() - started);
  }
  const summary = latencies.summary();
  return { p50: summary.p50, p99: summary.p99, count: summary.count };
}

/** The last answer each reader got, and the requests still unanswered when the load stopped. */
interface ClientView {
  finalStates: Map<string, ReactionKind | null>;
  unanswered: Set<string>;
}

/**
 * Readers (each with an address of their own) react for SECONDS, taking turns, and a reader
 * whose request is still unanswered waits for the next turn: a reader's requests never overlap, so
 * the last answer each reader got is their reaction now.
 */
async function reactionRun(
  service: ServiceProcess,
  stories: { id: string; slug: string }[],
  view: ClientView,
  staffToken: string,
  deskArticleId: string,
  /** Reactions a second across all connections; as fast as answered when absent. */
  rate?: number,
): Promise<ReactionRun> {
  let rateLimited = 0;
  let turn = 0;
  const busy = new Set<string>();
  const request: autocannon.Request = {
    method: 'POST',
    path: '/',
    setupRequest: (req: any) => {
      let reader = READERS[turn++ % READERS.length];
      while (busy.has(reader.id)) reader = READERS[turn++ % READERS.length];
      busy.add(reader.id);
      const story = stories[(Math.random() * stories.length) | 0];
      const remove = Math.random() < 0.1;
      const key = `${story.id}.${reader.id}`;
      view.unanswered.add(key);
      req.method = remove ? 'DELETE' : 'POST';
      req.path = `/public/articles/${story.id}/reactions`;
      req.headers = remove
        ? { 'x-reader-id': reader.id, 'x-forwarded-for': reader.address, 'x-request-id': key }
        : { 'content-type': 'application/json', 'x-reader-id': reader.id, 'x-forwarded-for': reader.address, 'x-request-id': key };
      // The request id comes back with the answer: autocannon may set up the next request first.
      req.body = remove ? undefined : KIND_BODIES[(Math.random() * KIND_BODIES.length) | 0];
      return req;
    },
    onResponse: (status: number, body: string, _context: object, headers?: Record<string, string | string[] | undefined>) => {
      const key = String(headers?.['x-request-id']);
      view.unanswered.delete(key);
      busy.delete(key.slice(key.indexOf('.') + 1));
      if (status === 200) view.finalStates.set(key, (YOUR_REACTION.exec(body)?.[1] as ReactionKind | undefined) ?? null);
      else if (status === 429) rateLimited++;
      else if (process.env.BENCH_DEBUG) process.stderr.write(`${status} ${body.slice(0, 300)}\n`);
    },
  };

  let flooding = true;
  const cpu = new CpuMeter({
    ...Object.fromEntries(service.processes.map(({ role, pid }) => [role, () => [pid]])),
    'postgres (server)': () => pidsNamed('postgres'),
    kafka: () => (service.kafkaPid ? [service.kafkaPid] : []),
    'bench (load generator)': () => [process.pid],
  });
  cpu.start();
  const editorial = editorialLoop(service.url, deskArticleId, staffToken, SECONDS + 5, () => !flooding);
  const result = await autocannon({ url: service.url, connections: CONNECTIONS, duration: SECONDS, requests: [request], overallRate: rate });
  const cpuReport = cpu.stop();
  flooding = false;
  const loadEnded = now();

  // The truth is the event store: each reader's last reaction event. /feed must show exactly that,
  // and every reader whose last request was answered must have been told exactly that.
  await sleep(200); // requests in flight when autocannon stopped
  const stored = await storedReactions(service.databaseUrl);
  const visible = await waitForFeedCounts(service.url, countsByStory(stored, stories));
  const countsVisibleMs = now() - loadEnded;
  const answersMatch = [...view.finalStates].every(([key, kind]) => view.unanswered.has(key) || (stored.get(key) ?? null) === kind);
  return {
    label: `${stories.length} hot ${stories.length === 1 ? 'story' : 'stories'}${rate === undefined ? '' : `, steady ${fmtInt(rate)}/s`}`,
    rate,
    stories: stories.length,
    requestsPerSecond: result.requests.total / SECONDS,
    okPerSecond: result['2xx'] / SECONDS,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    rateLimited,
    errors: result.errors + result.timeouts,
    countsVisibleMs,
    exact: visible && answersMatch,
    editorial: await editorial,
    cpu: cpuReport,
    answered: result['2xx'],
  };
}

/** Every reader's current reaction from the event store, by `${articleId}.${readerId}`. */
async function storedReactions(databaseUrl: string): Promise<Map<string, ReactionKind | null>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`
      SELECT DISTINCT ON (stream_id) data->>'articleId' AS article_id, data->>'readerId' AS reader_id, type, data->>'kind' AS kind
        FROM events WHERE stream_type = 'reaction' ORDER BY stream_id, stream_version DESC`);
    return new Map(rows.map((row) => [`${row.article_id}.${row.reader_id}`, row.type === 'ReactionRemoved' ? null : row.kind]));
  } finally {
    await client.end();
  }
}

function countsByStory(reactions: Map<string, ReactionKind | null>, stories: { id: string }[]): Map<string, ReactionCounts> {
  const counts = new Map<string, ReactionCounts>();
  for (const story of stories) counts.set(story.id, Object.fromEntries(REACTION_KINDS.map((k) => [k, 0])) as ReactionCounts);
  for (const [key, kind] of reactions) {
    const story = counts.get(key.split('.')[0]);
    if (story && kind) story[kind]++;
  }
  return counts;
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

function report(results: {
  floor: Awaited<ReturnType<typeof cannon>>;
  quietEditorial: { p50: number; p99: number; count: number };
  hot: ReactionRun;
  spread: ReactionRun;
  steady: ReactionRun;
  feed: Awaited<ReturnType<typeof cannon>>;
  peakRss: { role: string; mb: number }[];
  databaseServer: string;
}): void {
  const { floor, quietEditorial, hot, spread, steady, feed, peakRss } = results;
  const endpointRow = (name: string, run: { requestsPerSecond: number; okPerSecond: number; p50: number; p99: number; non2xx: number }) => [
    name,
    fmtInt(run.requestsPerSecond),
    fmtInt(run.okPerSecond),
    fmtMs(run.p50),
    fmtMs(run.p99),
    fmtInt(run.non2xx),
    fmtRatio(run.okPerSecond / floor.okPerSecond),
  ];
  const lines = [
    '',
    `bench:reactions — reactions end to end over HTTP against the service with Kafka-fed projections (${
      TOPOLOGY === 'single' ? 'API and workers in one process, as npm start' : 'API and workers in two processes'
    })`,
    `machine: ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; PostgreSQL (at ${results.databaseServer}) and Kafka on the same machine`,
    `settings: ${SECONDS} s per run, ${CONNECTIONS} connections, ${READERS_PER_CONNECTION} readers per connection, 10% removals; ` +
      `as fast as answered, then a steady ${fmtInt(STEADY_RATE)}/s`,
    `rate limits: the service's defaults, ${RATE_LIMITS.ratePerReaderPerMinute} reactions per reader id and ${RATE_LIMITS.ratePerAddressPerMinute} per client address a minute; ` +
      `TRUST_PROXY=true and each of the ${fmtInt(READERS.length)} readers sends an X-Forwarded-For address of their own (random 10.x.x.x, fixed per reader), ` +
      `so the per-address limit sees one reader per address: many readers behind many addresses, the realistic case for a public story ` +
      `(readers sharing one address, e.g. behind an office NAT, would meet the per-address limit sooner)`,
    '',
    renderTable(
      ['run', 'req/s', '2xx/s', 'p50 ms', 'p99 ms', '429', 'other non-2xx', 'errors', 'counts in /feed after', 'exact counts'],
      [hot, spread, steady].map((run) => [
        run.label,
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
      ['endpoint', 'req/s', '2xx/s', 'p50 ms', 'p99 ms', 'non-2xx', '2xx/s vs GET /health'],
      [
        endpointRow('GET /health (reference: no work)', floor),
        endpointRow('GET /feed', feed),
        endpointRow('reactions, 1 hot story', hot),
        endpointRow('reactions, 20 hot stories', spread),
      ],
    ),
    '',
    renderTable(
      ['editorial (GET article / GET board / POST draft, one at a time)', 'requests', 'p50 ms', 'p99 ms', 'p99 vs quiet'],
      [
        ['quiet', fmtInt(quietEditorial.count), fmtMs(quietEditorial.p50), fmtMs(quietEditorial.p99), '1.00x'],
        ...[hot, spread, steady].map((run) => [
          `during reactions: ${run.label}`,
          fmtInt(run.editorial!.count),
          fmtMs(run.editorial!.p50),
          fmtMs(run.editorial!.p99),
          fmtRatio(run.editorial!.p99 / quietEditorial.p99),
        ]),
      ],
    ),
    '',
    ...cpuTable([hot, spread, steady]),
    '',
    `service peak RSS: ${peakRss.map(({ role, mb }) => `${role} ${mb.toFixed(0)} MB`).join(', ')}`,
    '',
    'targets:',
    ...[hot, spread].map(
      (run) =>
        `  ${passFail(run.okPerSecond >= 2000)} >= 2,000 reactions/s (${run.stories} stories): ${fmtInt(run.okPerSecond)}/s` +
        `\n  ${passFail(run.p99 < 100)} p99 < 100 ms (${run.stories} stories): ${fmtMs(run.p99)} ms` +
        `\n  ${passFail(run.exact)} exact counts (${run.stories} stories)`,
    ),
    ...peakRss.map(({ role, mb }) => `  ${passFail(mb < 300)} ${role} RSS < 300 MB: ${mb.toFixed(0)} MB`),
    `  ${passFail(feed.okPerSecond >= 3000)} GET /feed >= 3,000 requests/s answered 2xx: ${fmtInt(feed.okPerSecond)}/s ` +
      `(${fmtInt(feed.non2xx)} non-2xx and ${fmtInt(feed.errors)} errors not counted)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/**
 * Where the machine's CPU went per answered reaction, and the rate the machine could carry at
 * that cost if every core did nothing else: what a result means on a box the service shares.
 */
function cpuTable(runs: ReactionRun[]): string[] {
  const groups = Object.keys(runs[0].cpu.cores);
  const microsPerReaction = (run: ReactionRun, cores: number) => (cores * run.cpu.seconds * 1e6) / Math.max(1, run.answered);
  const cpus = os.cpus().length;
  return [
    renderTable(
      ['CPU µs per reaction (from /proc)', ...groups, 'other', 'all', 'machine busy', `most reactions/s ${cpus} cores carry`],
      runs.map((run) => {
        const all = microsPerReaction(run, run.cpu.machineCores);
        return [
          run.label,
          ...groups.map((group) => fmtInt(microsPerReaction(run, run.cpu.cores[group]))),
          fmtInt(microsPerReaction(run, run.cpu.otherCores)),
          fmtInt(all),
          `${run.cpu.machineCores.toFixed(2)} of ${cpus} cores`,
          run.rate === undefined ? fmtInt((cpus * 1e6) / all) : 'n/a (steady rate)',
        ];
      }),
    ),
    '  postgres (server) = every PostgreSQL process on the server; other = busy CPU of no listed process (kernel, other programs).',
    '  At a steady rate the machine is not saturated: the desk\'s own requests (more of them get through) and the fixed cost of',
    '  each relay and projection batch (fewer events per batch) are shared by fewer reactions.',
  ];
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
