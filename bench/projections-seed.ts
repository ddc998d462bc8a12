/**
 * A realistic event log for the projections benchmark, made by the service's own deciders.
 *
 * Articles go through the whole desk workflow (drafted, assigned, claims added, notes, submitted,
 * sometimes sent back and revised, fact-checked, approved, published now or on schedule, then
 * revised, corrected, noted, rarely retracted); readers react to published stories on their own
 * (article, reader) streams (added, sometimes changed or removed). Every event comes out of
 * `decide` of the article or reaction decider with the metadata the HTTP handlers write, so the
 * rows are exactly what `EventStore.appendToStream` would store. Hundreds of articles are in
 * progress at any time, so their events interleave in the log as they do in a newsroom.
 *
 * The rows are bulk inserted in log order, one chunk per statement, each chunk committed before
 * the next starts: a stream's later versions always get a later transaction id, as they do when
 * every append waits for the previous one (two appends of one stream never overlap).
 */
import { v7 as uuidv7 } from 'uuid';
import {
  REACTION_KINDS,
  reactionStreamId,
  type ReactionKind,
  type VerdictRating,
} from '#libs/contracts';
import type { DomainEvent, EventMetadata, SqlRunner } from '#libs/event-store';
import { SCHEDULER_ACTOR, type Actor, type ArticleCommand } from '../src/articles/domain/article.commands.js';
import { decide, evolve } from '../src/articles/domain/article.decider.js';
import type { Article, ArticleState } from '../src/articles/domain/article.state.js';
import { loadSeedStory } from '../src/demo/seed-story.js';
import { decide as decideReaction, evolve as evolveReaction, type ReactionState } from '../src/reactions/domain/reaction.decider.js';

/** One row of `events` as appendToStream writes it (position, transaction_id, recorded_at are defaults). */
export interface SeedRow {
  eventId: string;
  streamId: string;
  streamType: 'article' | 'reaction';
  streamVersion: number;
  type: string;
  data: string;
  metadata: string;
}

/** What the projections must hold once they have applied the whole log (checked after rebuilds). */
export interface SeedExpectations {
  articles: number;
  /** Published and not retracted: the public feed's items. */
  publicStories: number;
  published: number;
  retracted: number;
  /** Claims without a verdict in articles that are not retracted: the fact-check queue. */
  pendingClaims: number;
  /** Readers with a reaction at the end: the sum of all reaction counts. */
  currentReactions: number;
  reactionStreams: number;
  scheduledPending: number;
}

export interface SeedSummary {
  events: number;
  articleEvents: number;
  reactionEvents: number;
  byType: Map<string, number>;
  dataBytes: number;
  /** Commands the decider refused (written nothing), e.g. a revision that changed nothing. */
  refusedCommands: number;
  expectations: SeedExpectations;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export class Rng {
  constructor(private state: number) {}

  /** mulberry32: [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** URL-safe id, the shape of a reader id cookie. */
  id(length: number): string {
    let id = '';
    for (let i = 0; i < length; i++) id += ID_ALPHABET[Math.floor(this.next() * ID_ALPHABET.length)];
    return id;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Geometric count with this mean, capped: a long tail, like readers per story. */
  count(mean: number, cap: number): number {
    const p = 1 / (mean + 1);
    let n = 0;
    while (n < cap && !this.chance(p)) n++;
    return n;
  }
}

// ---------------------------------------------------------------------------------------------
// Realistic text
// ---------------------------------------------------------------------------------------------

const SECTIONS = ['world', 'politics', 'business', 'technology', 'science', 'health', 'climate', 'culture', 'sport', 'local'];
const TAGS = [
  'china', 'united-states', 'taiwan', 'trade', 'tariffs', 'ukraine', 'elections', 'economy', 'energy', 'ai',
  'health-care', 'education', 'housing', 'transport', 'courts', 'labour', 'inflation', 'diplomacy', 'security', 'migration',
];
const SUBJECTS = ['Ministers', 'The central bank', 'City council', 'Regulators', 'Negotiators', 'Scientists', 'Union leaders', 'The court', 'Investors', 'Health officials'];
const VERBS = ['agree on', 'push back against', 'unveil', 'delay', 'warn over', 'clash on', 'back', 'reject', 'review', 'debate'];
const OBJECTS = ['new tariff plan', 'emergency budget', 'rail expansion', 'climate targets', 'AI rules', 'housing reform', 'ceasefire talks', 'rate cut', 'vaccine rollout', 'port deal'];
const REVIEW_SOURCES = ['https://www.reuters.com/', 'https://apnews.com/', 'https://data.worldbank.org/', 'https://www.bls.gov/', 'https://eur-lex.europa.eu/'];
const RATINGS: readonly [VerdictRating, number][] = [
  ['true', 0.36], ['mostly_true', 0.3], ['half_true', 0.19], ['mostly_false', 0.07], ['false', 0.05], ['unverifiable', 0.03],
];

class Text {
  private readonly paragraphs: string[];
  private readonly sentences: string[];

  constructor(private readonly rng: Rng) {
    const story = loadSeedStory();
    this.paragraphs = story.body.split(/\n\n+/).filter((p) => p.trim().length > 40);
    this.sentences = this.paragraphs.flatMap((p) => p.split(/(?<=[.!?”])\s+/)).filter((s) => s.length > 30);
  }

  headline(): string {
    const r = this.rng;
    return `${r.pick(SUBJECTS)} ${r.pick(VERBS)} ${r.pick(OBJECTS)} as ${r.pick(SUBJECTS).toLowerCase()} ${r.pick(VERBS)} ${r.pick(OBJECTS)} (${r.int(1, 9999)})`;
  }

  standfirst(): string {
    return `${this.sentence()} ${this.sentence()}`;
  }

  sentence(): string {
    return this.rng.pick(this.sentences);
  }

  /** 2-7 KB of story, paragraphs of the seed story in another order. */
  body(): string {
    const target = this.rng.int(2000, 7000);
    const parts: string[] = [];
    let length = 0;
    while (length < target) {
      const paragraph = this.rng.pick(this.paragraphs);
      parts.push(paragraph);
      length += paragraph.length + 2;
    }
    return parts.join('\n\n');
  }

  section(): string {
    return this.rng.pick(SECTIONS);
  }

  tags(): string[] {
    const count = this.rng.int(2, 6);
    const tags = new Set<string>();
    while (tags.size < count) tags.add(this.rng.pick(TAGS));
    return [...tags];
  }

  rating(): VerdictRating {
    let x = this.rng.next();
    for (const [rating, p] of RATINGS) {
      if ((x -= p) < 0) return rating;
    }
    return 'true';
  }
}

/** Headlines, bodies and tags like the seeded stories', for the live phase's drafts. */
export const articleText = (rng: Rng): Pick<Text, 'headline' | 'standfirst' | 'body' | 'section' | 'tags'> => new Text(rng);

// ---------------------------------------------------------------------------------------------
// The newsroom: staff and scripts
// ---------------------------------------------------------------------------------------------

const staff = (prefix: string, count: number, roles: Actor['roles'], names: string[]): Actor[] =>
  Array.from({ length: count }, (_, i) => ({ sub: `${prefix}-${i + 1}`, name: `${names[i % names.length]} ${prefix}${i + 1}`, roles }));

const FIRST_NAMES = ['Alice', 'Bilal', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Goran', 'Hana', 'Ines', 'Jonas', 'Kai', 'Lena'];
const REPORTERS = staff('reporter', 60, ['reporter'], FIRST_NAMES);
const EDITORS = staff('editor', 12, ['editor'], FIRST_NAMES);
const CHECKERS = staff('checker', 15, ['fact_checker'], FIRST_NAMES);

/** A command and who issues it; `now` is filled in from the simulated clock when it runs. */
type Step = { actor: Actor; command: (now: Date) => ArticleCommand; correlation?: boolean };

interface ArticleRun {
  id: string;
  state: ArticleState;
  version: number;
}

const FLAGGED: readonly VerdictRating[] = ['false', 'mostly_false', 'unverifiable'];

/**
 * The commands of one article, decided lazily against its current state (claim ids, ratings).
 * Mostly the full workflow; about one article in ten stays unpublished (still in review).
 */
function* articleScript(run: ArticleRun, rng: Rng, text: Text): Generator<Step, void, void> {
  const articleId = run.id;
  const reporter = rng.pick(REPORTERS);
  const editor = rng.pick(EDITORS);
  const checker = rng.pick(CHECKERS);
  const article = () => run.state as Article;
  const cmd = <C extends ArticleCommand>(type: C['type'], actor: Actor, data: object): Step => ({
    actor,
    command: (now) => ({ type, data: { ...data, articleId, actor, now } }) as ArticleCommand,
  });

  yield cmd('DraftArticle', reporter, {
    headline: text.headline(),
    standfirst: rng.chance(0.8) ? text.standfirst() : undefined,
    body: text.body(),
    section: rng.pick(SECTIONS),
    tags: text.tags(),
  });
  if (rng.chance(0.35)) yield cmd('AssignArticle', editor, { assignee: { id: checker.sub, name: checker.name }, as: 'fact_checker' });
  if (rng.chance(0.1)) {
    const second = rng.pick(REPORTERS.filter((r) => r.sub !== reporter.sub));
    yield cmd('AssignArticle', editor, { assignee: { id: second.sub, name: second.name }, as: 'reporter' });
  }
  const claims = rng.int(3, 7);
  for (let i = 0; i < claims; i++) {
    yield cmd('AddClaim', rng.chance(0.8) ? reporter : checker, {
      claimId: uuidv7(),
      text: text.sentence(),
      quote: rng.chance(0.6) ? text.sentence() : undefined,
    });
  }
  if (rng.chance(0.4)) yield cmd('AddEditorialNote', rng.chance(0.5) ? editor : reporter, { noteId: uuidv7(), text: text.sentence() });
  yield cmd('SubmitArticle', reporter, {});
  if (rng.chance(0.2)) {
    yield cmd('RequestChanges', editor, { reason: `Tighten the top and source the figures. ${text.sentence()}` });
    yield cmd('ReviseArticle', reporter, { changes: { body: text.body(), headline: rng.chance(0.5) ? text.headline() : undefined } });
    yield cmd('SubmitArticle', reporter, {});
  }
  for (const claim of [...article().claims]) {
    yield cmd('RecordVerdict', checker, {
      claimId: claim.id,
      rating: text.rating(),
      explanation: `${text.sentence()} ${text.sentence()}`,
      sources: [`${rng.pick(REVIEW_SOURCES)}${rng.int(100000, 999999)}`, ...(rng.chance(0.4) ? [`${rng.pick(REVIEW_SOURCES)}${rng.int(100000, 999999)}`] : [])],
    });
  }
  // Flagged claims are mostly re-checked after the reporter fixes them; otherwise an override.
  for (const claim of article().claims.filter((c) => c.verdict && FLAGGED.includes(c.verdict.rating))) {
    if (rng.chance(0.7)) {
      yield cmd('RecordVerdict', checker, {
        claimId: claim.id,
        rating: 'mostly_true',
        explanation: `Re-checked after the reporter added sourcing. ${text.sentence()}`,
        sources: [`${rng.pick(REVIEW_SOURCES)}${rng.int(100000, 999999)}`],
      });
    }
  }
  if (rng.chance(0.1)) return; // stays in review: its pending work shows on the board
  yield cmd('ApproveArticle', editor, {});
  const flagged = article().claims.some((c) => c.verdict && FLAGGED.includes(c.verdict.rating));
  if (!flagged && rng.chance(0.1)) {
    let publishAt = new Date(0);
    yield {
      actor: editor,
      command: (now) => {
        publishAt = new Date(now.getTime() + 3_600_000);
        return { type: 'SchedulePublish', data: { articleId, actor: editor, now, publishAt } };
      },
    };
    yield {
      actor: SCHEDULER_ACTOR,
      correlation: false,
      command: (now) => ({
        type: 'PublishScheduledArticle',
        data: { articleId, actor: SCHEDULER_ACTOR, now: new Date(Math.max(now.getTime(), publishAt.getTime() + 1000)) },
      }),
    };
  } else {
    yield cmd('PublishArticle', editor, { overrideReason: flagged ? 'Disputed claims are flagged in the story; public interest.' : undefined });
  }
  // After publication: updates readers see, and desk notes.
  if (rng.chance(0.2)) yield cmd('ReviseArticle', editor, { changes: { standfirst: text.standfirst() } });
  if (rng.chance(0.15)) yield cmd('IssueCorrection', editor, { correctionId: uuidv7(), kind: rng.chance(0.7) ? 'correction' : 'clarification', text: `An earlier version misstated a figure. ${text.sentence()}` });
  if (rng.chance(0.3)) yield cmd('AddEditorialNote', editor, { noteId: uuidv7(), text: text.sentence() });
  if (rng.chance(0.1)) yield cmd('ReviseArticle', editor, { changes: { body: text.body() } });
  if (rng.chance(0.01)) yield cmd('RetractArticle', editor, { reason: `Retracted: the central claim could not be substantiated. ${text.sentence()}` });
}

interface ReactionCommandStep {
  readerId: string;
  intent: { type: 'React'; kind: ReactionKind } | { type: 'RemoveReaction' };
}

/** Readers of one published story: each adds a reaction, some change it, a few take it back. */
function* reactionScript(rng: Rng, meanReaders: number): Generator<ReactionCommandStep, void, void> {
  const readers = rng.count(meanReaders, meanReaders * 12);
  const pending: ReactionCommandStep[][] = [];
  for (let i = 0; i < readers; i++) {
    const readerId = rng.id(16);
    const first = pickKind(rng);
    const steps: ReactionCommandStep[] = [{ readerId, intent: { type: 'React', kind: first } }];
    if (rng.chance(0.2)) steps.push({ readerId, intent: { type: 'React', kind: pickKind(rng, first) } });
    if (rng.chance(0.1)) steps.push({ readerId, intent: { type: 'RemoveReaction' } });
    pending.push(steps.reverse());
  }
  // Readers interleave: a reader's later steps come after their earlier ones, others in between.
  while (pending.length > 0) {
    const index = Math.floor(rng.next() * pending.length);
    const step = pending[index].pop()!;
    if (pending[index].length === 0) pending.splice(index, 1);
    yield step;
  }
}

const KIND_WEIGHTS: Record<ReactionKind, number> = { like: 0.38, dislike: 0.08, love: 0.16, funny: 0.08, angry: 0.12, sad: 0.1, wow: 0.08 };
function pickKind(rng: Rng, not?: ReactionKind): ReactionKind {
  for (;;) {
    let x = rng.next();
    for (const kind of REACTION_KINDS) {
      if ((x -= KIND_WEIGHTS[kind]) < 0) {
        if (kind !== not) return kind;
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The timeline
// ---------------------------------------------------------------------------------------------

export interface SeedOptions {
  /** Stop starting new articles once the log holds this many events. */
  targetEvents: number;
  /** Articles in progress at the same time (their events interleave). */
  concurrentArticles: number;
  /** Mean readers reacting per published story. */
  meanReaders: number;
  seed: number;
}

type Actor_ =
  | { kind: 'article'; run: ArticleRun; script: Generator<Step, void, void> }
  | { kind: 'reactions'; articleId: string; script: Generator<ReactionCommandStep, void, void> };

/**
 * Runs the newsroom on a simulated clock and hands out the rows in log order, in chunks.
 * Returns the summary (counts and what the projections must end up holding).
 */
export async function generateLog(options: SeedOptions, onChunk: (rows: SeedRow[]) => Promise<void>, chunkSize = 2000): Promise<SeedSummary> {
  const rng = new Rng(options.seed);
  const text = new Text(rng);
  const articles = new Map<string, ArticleRun>();
  const readers = new Map<string, { version: number; state: ReactionState }>();
  const byType = new Map<string, number>();
  const active: Actor_[] = [];
  let events = 0;
  let articleEvents = 0;
  let reactionEvents = 0;
  let dataBytes = 0;
  let startedArticles = 0;
  let activeArticles = 0;
  let refused = 0;
  // About a month of newsroom time, ending now.
  const approximateSteps = options.targetEvents * 0.9;
  const stepMs = (30 * 24 * 3_600_000) / approximateSteps;
  let clock = Date.now() - 30 * 24 * 3_600_000;
  let chunk: SeedRow[] = [];

  const emit = async (row: SeedRow) => {
    chunk.push(row);
    events++;
    dataBytes += row.data.length;
    byType.set(row.type, (byType.get(row.type) ?? 0) + 1);
    if (chunk.length >= chunkSize) {
      const rows = chunk;
      chunk = [];
      await onChunk(rows);
    }
  };

  const startArticle = () => {
    const run: ArticleRun = { id: uuidv7(), state: null, version: 0 };
    articles.set(run.id, run);
    active.push({ kind: 'article', run, script: articleScript(run, rng, text) });
    startedArticles++;
    activeArticles++;
  };

  for (;;) {
    while (events < options.targetEvents && activeArticles < options.concurrentArticles) {
      startArticle();
    }
    if (active.length === 0) break;
    const index = Math.floor(rng.next() * active.length);
    const actor = active[index];
    clock += rng.next() * 2 * stepMs;
    if (actor.kind === 'article') {
      const next = actor.script.next();
      if (next.done) {
        active.splice(index, 1);
        activeArticles--;
        continue;
      }
      const { run } = actor;
      const command = next.value.command(new Date(clock));
      clock = Math.max(clock, command.data.now.getTime());
      let decided: DomainEvent[];
      try {
        decided = decide(command, run.state) as DomainEvent[];
      } catch {
        // Refused as the API would refuse it (409/400): nothing is written.
        refused++;
        continue;
      }
      const metadata: EventMetadata = {
        actor: { sub: next.value.actor.sub, name: next.value.actor.name, roles: next.value.actor.roles },
        correlationId: next.value.correlation === false ? undefined : uuidv7(),
      };
      const metadataJson = JSON.stringify(metadata);
      for (const event of decided) {
        run.state = evolve(run.state, event as never);
        run.version++;
        articleEvents++;
        await emit({
          eventId: uuidv7(),
          streamId: `article-${run.id}`,
          streamType: 'article',
          streamVersion: run.version,
          type: event.type,
          data: JSON.stringify(event.data),
          metadata: metadataJson,
        });
        if (event.type === 'Published' && options.meanReaders > 0) {
          active.push({ kind: 'reactions', articleId: run.id, script: reactionScript(rng, options.meanReaders) });
        }
      }
    } else {
      const article = articles.get(actor.articleId)!;
      // Only published stories take reactions.
      const next = article.state?.status === 'published' ? actor.script.next() : { done: true as const, value: undefined };
      if (next.done) {
        active.splice(index, 1);
        continue;
      }
      const { readerId, intent } = next.value;
      const streamId = reactionStreamId(actor.articleId, readerId);
      const reader = readers.get(streamId) ?? { version: 0, state: null };
      const now = new Date(clock);
      const decided = decideReaction(
        intent.type === 'React'
          ? { type: 'React', data: { articleId: actor.articleId, readerId, kind: intent.kind, now } }
          : { type: 'RemoveReaction', data: { articleId: actor.articleId, readerId, now } },
        reader.state,
      );
      const metadataJson = JSON.stringify({ actor: { sub: `reader:${readerId}`, name: 'Reader', roles: [] }, correlationId: uuidv7() });
      for (const event of decided) {
        reader.state = evolveReaction(reader.state, event);
        reader.version++;
        reactionEvents++;
        await emit({
          eventId: uuidv7(),
          streamId,
          streamType: 'reaction',
          streamVersion: reader.version,
          type: event.type,
          data: JSON.stringify(event.data),
          metadata: metadataJson,
        });
      }
      readers.set(streamId, reader);
    }
  }
  if (chunk.length > 0) await onChunk(chunk);

  const states = [...articles.values()].map((run) => run.state as Article);
  const expectations: SeedExpectations = {
    articles: startedArticles,
    publicStories: states.filter((a) => a.publishedAt !== null && a.retraction === null).length,
    published: states.filter((a) => a.publishedAt !== null).length,
    retracted: states.filter((a) => a.retraction !== null).length,
    pendingClaims: states.filter((a) => a.retraction === null).reduce((n, a) => n + a.claims.filter((c) => c.verdict === null).length, 0),
    currentReactions: [...readers.values()].filter((r) => r.state !== null).length,
    reactionStreams: readers.size,
    scheduledPending: states.filter((a) => a.status === 'scheduled').length,
  };
  return { events, articleEvents, reactionEvents, byType, dataBytes, refusedCommands: refused, expectations };
}

/** The INSERT appendToStream runs, for rows of many streams: same columns, defaults and jsonb. */
export async function insertRows(db: SqlRunner, rows: readonly SeedRow[]): Promise<void> {
  await db.query(
    `INSERT INTO events (event_id, stream_id, stream_type, stream_version, type, data, metadata)
     SELECT e.event_id, e.stream_id, e.stream_type, e.stream_version, e.type, e.data, e.metadata
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[], $7::jsonb[])
            WITH ORDINALITY AS e(event_id, stream_id, stream_type, stream_version, type, data, metadata, ord)
      ORDER BY e.ord`,
    [
      rows.map((r) => r.eventId),
      rows.map((r) => r.streamId),
      rows.map((r) => r.streamType),
      rows.map((r) => r.streamVersion),
      rows.map((r) => r.type),
      rows.map((r) => r.data),
      rows.map((r) => r.metadata),
    ],
  );
}
