import proxyAddr from '@fastify/proxy-addr';
import { bool, cleanEnv, host, makeValidator, num, port, str } from 'envalid';
import { NEWSROOM_TOPICS } from '#libs/contracts';
import { DEFAULT_CLOUD_EVENT_SOURCE, DEFAULT_SESSION_TIMEOUT_MS, isValidKafkaTopicName } from '#libs/kafka';

/** Thrown at start-up when a setting is missing or wrong; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: Record<string, string>) {
    super(
      'Invalid configuration:\n' +
        Object.entries(problems)
          .map(([name, problem]) => `  ${name}: ${problem}`)
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const positiveInt = makeValidator<number>((input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`expected a positive integer, got "${input}"`);
  return value;
});

const brokerList = makeValidator<string[]>((input) => {
  const brokers = input.split(',').map((broker) => broker.trim()).filter(Boolean);
  if (brokers.length === 0) throw new Error('expected a comma-separated list of host:port');
  for (const broker of brokers) {
    const port = /^[\w.-]+:(\d{1,5})$/.exec(broker)?.[1];
    if (port === undefined) throw new Error(`"${broker}" is not host:port`);
    if (Number(port) < 1 || Number(port) > 65535) throw new Error(`"${broker}": the port must be 1-65535`);
  }
  return brokers;
});

const nonNegativeInt = makeValidator<number>((input) => {
  const value = Number(input);
  if (!Number.isInteger(value) || value < 0) throw new Error(`expected 0 or a positive integer, got "${input}"`);
  return value;
});

/** Node's longest timer: a longer one fires after 1 ms, which would turn a wait into a busy loop. */
const MAX_TIMER_MS = 2_147_483_647;

/** Milliseconds from `min` to MAX_TIMER_MS, or 0 where it turns the thing off (`zeroAllowed`). */
const milliseconds = (min: number, { zeroAllowed = false, max = MAX_TIMER_MS } = {}) =>
  makeValidator<number>((input) => {
    const value = Number(input);
    if (Number.isInteger(value) && ((value >= min && value <= max) || (zeroAllowed && value === 0))) return value;
    throw new Error(`expected ${zeroAllowed ? '0 or ' : ''}milliseconds from ${min} to ${max}, got "${input}"`);
  });

/**
 * The relay's lock session: the heartbeat comes every third of it, so a shorter one would end the
 * session of a relay that is only busy (a long batch, a garbage collection) and stop it for good.
 */
export const MIN_RELAY_LOCK_SESSION_TIMEOUT_MS = 3000;

const postgresUrl = makeValidator<string>((input) => {
  if (!/^postgres(ql)?:\/\//.test(input)) throw new Error('expected a postgres:// URL');
  return input;
});

/** Text that says something: an empty or blank value would make an odd name (a group ".projection.x"). */
const nonBlank = makeValidator<string>((input) => {
  if (input.trim() === '') throw new Error('expected a value, got an empty one');
  return input;
});

/**
 * A Kafka client id or consumer-group prefix: the characters of a topic name, so a group id made
 * from it (`<prefix>.projection.<name>`) is one Kafka and its tools take everywhere.
 */
const kafkaName = makeValidator<string>((input) => {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(input)) throw new Error(`expected 1-200 of a-z A-Z 0-9 . _ -, got "${input}"`);
  return input;
});

/** An http(s) URL: feeds and pages link to it. */
const httpUrl = makeValidator<string>((input) => {
  const protocol = URL.canParse(input) ? new URL(input).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`expected an http:// or https:// URL, got "${input}"`);
  return input;
});

/** Checked here so a bad name stops start-up instead of failing every publish of the relay. */
const kafkaTopic = makeValidator<string>((input) => {
  if (!isValidKafkaTopicName(input)) throw new Error(`"${input}" is not a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")`);
  return input;
});

/** Within the broker's default bounds (group.min/max.session.timeout.ms: 6 s and 30 min). */
const sessionTimeout = milliseconds(6000, { max: 1_800_000 });

/** RFC 3986 (the WHATWG URL parser accepts almost anything, escaping it). Appendix B splits the parts. */
const URI_PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
/** Unreserved characters, sub-delims and percent-encoded octets, plus what the part allows. */
const uriChars = (extra: string) => String.raw`(?:[\w.~!$&'()*+,;=${extra}-]|%[0-9A-Fa-f]{2})*`;
const AUTHORITY = new RegExp(String.raw`^(?:${uriChars(':')}@)?(?:\[[\w.:~!$&'()*+,;=-]+\]|${uriChars('')})(?::\d*)?$`);
const PATH = new RegExp(`^${uriChars(':@/')}$`);
const QUERY_OR_FRAGMENT = new RegExp(`^${uriChars(':@/?')}$`);

/** A non-empty URI-reference (RFC 3986), as CloudEvents 1.0 requires of `source`: `/newsroom`, `urn:...`, `https://...`. */
const uriReference = makeValidator<string>((input) => {
  const parts = URI_PARTS.exec(input);
  const [, scheme, authority, path, query, fragment] = parts ?? [];
  const valid =
    input.length > 0 &&
    parts !== null &&
    (scheme === undefined || SCHEME.test(scheme)) &&
    (authority === undefined || AUTHORITY.test(authority)) &&
    PATH.test(path ?? '') &&
    (query === undefined || QUERY_OR_FRAGMENT.test(query)) &&
    (fragment === undefined || QUERY_OR_FRAGMENT.test(fragment));
  if (!valid) throw new Error(`expected a URI-reference such as /newsroom or https://example.com/newsroom, got "${input}"`);
  return input;
});

/** `*`, or the web origins (scheme://host[:port]) allowed to call the public endpoints from a browser; `none` for no CORS. */
const corsOrigins = makeValidator<'*' | string[]>((input) => {
  const value = input.trim();
  if (value === '*') return '*';
  if (value.toLowerCase() === 'none') return [];
  const origins = value.split(',').map((origin) => origin.trim()).filter(Boolean);
  const bad = origins.filter((origin) => !isOrigin(origin));
  if (origins.length === 0 || bad.length > 0) {
    throw new Error(`expected *, none, or origins such as https://news.example.com, got ${bad.length ? bad.map((o) => `"${o}"`).join(', ') : 'nothing'}`);
  }
  return origins;
});

function isOrigin(candidate: string): boolean {
  try {
    const parsed = new URL(candidate);
    // No wildcards: each origin is matched as written, so "https://*.example" would match nothing.
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === candidate && !candidate.includes('*');
  } catch {
    return false;
  }
}

/**
 * true/false, or the proxies to trust as a comma-separated list of addresses, CIDR ranges or
 * proxy-addr's names (loopback, linklocal, uniquelocal). Compiled here by the library Fastify hands
 * the list to, so what it would refuse at start (10.0.0.0/33) is refused here, by name.
 */
const trustProxy = makeValidator<boolean | string[]>((input) => {
  const value = input.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no', ''].includes(value)) return false;
  const proxies = input.split(',').map((proxy) => proxy.trim()).filter(Boolean);
  try {
    proxyAddr.compile(proxies);
  } catch (error) {
    throw new Error(`expected true, false or addresses/CIDR ranges of trusted proxies: ${(error as Error).message}`);
  }
  return proxies;
});

/**
 * With Kafka, a worker's relay keeps one pooled connection for its advisory lock as long as it is
 * active; everything else (projection batches, scheduler, API, health) borrows connections only
 * per transaction, so one more is what they need to move at all.
 */
export const MIN_POOL_SIZE_WITH_KAFKA = 2;

/** Used outside production when JWT_SECRET is unset, so `npm start` works on a fresh machine. */
export const INSECURE_DEV_SECRET = 'newsroom-development-secret-do-not-use-in-production';

const spec = {
  NODE_ENV: str({ choices: ['development', 'test', 'production'], default: 'development' }),
  HOST: host({ default: undefined, desc: 'Address the HTTP server binds to: every address (0.0.0.0), or only this machine (127.0.0.1) while JWT_SECRET is unset' }),
  PORT: port({ default: 3000 }),
  PUBLIC_BASE_URL: httpUrl({ default: '', desc: 'Public URL of the service, used in feeds and links' }),
  LOG_LEVEL: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }),

  DATABASE_URL: postgresUrl({ default: undefined, desc: 'PostgreSQL; unset (with KAFKA_BROKERS unset) = embedded PGlite' }),
  DATABASE_POOL_SIZE: positiveInt({ default: 10, desc: `At least ${MIN_POOL_SIZE_WITH_KAFKA} with KAFKA_BROKERS` }),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: milliseconds(1, { zeroAllowed: true })({
    default: 60_000,
    desc: 'PostgreSQL ends a session of ours left idle inside a transaction this long (0: never); such a transaction would hold back the commit-safe log',
  }),
  DATABASE_CONNECT_TIMEOUT_MS: milliseconds(1)({ default: 5000, desc: 'Longest wait for a database connection (a free one in the pool, or a new one) before a request answers 503' }),
  EMBEDDED_DATA_DIR: nonBlank({ default: '.data/pglite', desc: 'Where embedded PostgreSQL keeps its data' }),
  RUN_MIGRATIONS: bool({ default: true, desc: 'Apply pending migrations at start-up' }),

  KAFKA_BROKERS: brokerList({ default: undefined, desc: 'Comma-separated host:port list; unset = projections read the store directly' }),
  KAFKA_CLIENT_ID: kafkaName({ default: 'newsroom' }),
  KAFKA_TOPIC_ARTICLES: kafkaTopic({ default: NEWSROOM_TOPICS.articles }),
  KAFKA_TOPIC_REACTIONS: kafkaTopic({ default: NEWSROOM_TOPICS.reactions, desc: 'Must differ from KAFKA_TOPIC_ARTICLES' }),
  KAFKA_TOPIC_PARTITIONS: positiveInt({ default: 6 }),
  KAFKA_REPLICATION_FACTOR: positiveInt({ default: 1 }),
  KAFKA_GROUP_PREFIX: kafkaName({ default: 'newsroom' }),
  KAFKA_SESSION_TIMEOUT_MS: sessionTimeout({
    default: DEFAULT_SESSION_TIMEOUT_MS,
    desc: "How long a projection consumer group waits for a silent (killed) worker before giving its partitions to the others",
  }),
  CLOUDEVENTS_SOURCE: uriReference({ default: DEFAULT_CLOUD_EVENT_SOURCE, desc: 'ce_source of every message: a URI-reference' }),

  RELAY_BATCH_SIZE: positiveInt({ default: 500 }),
  RELAY_POLL_MS: milliseconds(1)({ default: 25 }),
  RELAY_LOCK_SESSION_TIMEOUT_MS: milliseconds(MIN_RELAY_LOCK_SESSION_TIMEOUT_MS, { zeroAllowed: true })({
    default: 30_000,
    desc: "PostgreSQL ends the relay lock's session idle this long, so a standby replaces a frozen relay; 0 = never",
  }),
  PROJECTION_BATCH_SIZE: positiveInt({ default: 500 }),
  PROJECTION_POLL_MS: milliseconds(1)({ default: 50, desc: 'Idle poll of the log when projections read the store directly' }),
  SCHEDULER_INTERVAL_MS: milliseconds(1)({ default: 1000 }),

  JWT_SECRET: str({ default: undefined, desc: 'HS256 secret for staff tokens (a development default outside production)' }),
  BODY_LIMIT_BYTES: positiveInt({ default: 1_048_576 }),
  READ_WAIT_TIMEOUT_MS: milliseconds(1)({ default: 3000, desc: 'Longest wait for X-Min-Position' }),
  REQUEST_TIMEOUT_MS: milliseconds(1)({
    default: 20_000,
    desc: 'A request unanswered this long answers 503 (a stalled database); more than READ_WAIT_TIMEOUT_MS',
  }),
  PUBLIC_CACHE_POLL_MS: milliseconds(1, { zeroAllowed: true })({ default: 100, desc: 'How often public reads check their read models for changes (0: no cache)' }),

  TRUST_PROXY: trustProxy({
    default: false,
    desc: 'Take the client address from X-Forwarded-For: true trusts every hop (only behind a proxy that overwrites the header); or list the trusted proxies',
  }),
  PUBLIC_CORS_ORIGINS: corsOrigins({
    default: '*',
    desc: 'Web origins whose pages may call the public endpoints (feeds, public articles, reactions) from a browser: *, a comma-separated list, or none',
  }),
  REACTION_RATE_PER_READER: positiveInt({ default: 30, desc: 'Reactions per reader id per minute (per API process)' }),
  REACTION_RATE_PER_ADDRESS: positiveInt({ default: 600, desc: 'Reactions per client address per minute (per API process)' }),
  REACTION_ARTICLE_CACHE_MS: milliseconds(1)({ default: 1000, desc: 'How long an API process trusts that an article is published' }),

  READY_CHECK_TIMEOUT_MS: milliseconds(1)({ default: 2000, desc: 'Longest each /health/ready check (database, Kafka, lag) may take' }),
  READY_KAFKA_CACHE_MS: milliseconds(1)({ default: 5000, desc: 'How long /health/ready reuses a Kafka probe, so probes do not hammer the broker' }),
  READY_MAX_PROJECTION_LAG_SECONDS: nonNegativeInt({
    default: 30,
    desc: 'Not ready when a projection has not applied an event committed this many seconds ago; 0 = report only',
  }),
  READY_MAX_RELAY_LAG_EVENTS: nonNegativeInt({
    default: 10_000,
    desc: 'A worker is not ready when more committed events than this wait for the relay; 0 = report only',
  }),
  READY_FAIL_ON_PARKED_EVENTS: bool({ default: false, desc: 'Parked (dead-lettered) projection events make the service not ready' }),
  WORKER_HTTP_PORT: port({ default: undefined, desc: 'Worker processes serve /health, /health/ready and /metrics on this port; unset = none' }),
};

/**
 * An empty value (`DATABASE_URL=` in a compose or .env file) is no value for the variables whose
 * absence is itself a setting (the embedded database, no Kafka, the development secret); one with
 * a default (PORT, the topic names) refuses it like any other wrong value.
 */
const EMPTY_MEANS_UNSET = new Set(
  Object.entries(spec)
    .filter(([, validator]) => validator.default === undefined || validator.default === '')
    .map(([name]) => name),
);

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  http: { host: string; port: number; publicBaseUrl: string; bodyLimitBytes: number; requestTimeoutMs: number };
  logLevel: string;
  database: {
    url?: string;
    poolSize: number;
    connectTimeoutMs: number;
    idleInTransactionTimeoutMs: number;
    embeddedDataDir: string;
    runMigrations: boolean;
  };
  /** Embedded mode: no DATABASE_URL and no KAFKA_BROKERS: PGlite, and projections fed from the store. */
  embedded: boolean;
  kafka?: {
    brokers: string[];
    clientId: string;
    topics: { articles: string; reactions: string };
    partitions: number;
    replicationFactor: number;
    groupPrefix: string;
    sessionTimeoutMs: number;
    cloudEventsSource: string;
  };
  relay: { batchSize: number; pollMs: number; lockSessionTimeoutMs: number };
  projections: { batchSize: number; pollMs: number };
  scheduler: { intervalMs: number };
  auth: { jwtSecret: string; insecureSecret: boolean };
  readWaitTimeoutMs: number;
  publicCachePollMs: number;
  /** Fastify's trustProxy: whether (or which) proxies' X-Forwarded-For names the client. */
  trustProxy: boolean | string[];
  /** Origins allowed to call the public endpoints from a browser (CORS): any, or these (none when empty). */
  publicCorsOrigins: '*' | string[];
  reactions: { ratePerReaderPerMinute: number; ratePerAddressPerMinute: number; articleCacheMs: number };
  /** /health/ready thresholds (0 = report only) and the worker's optional health/metrics port. */
  operations: {
    readyCheckTimeoutMs: number;
    kafkaCheckCacheMs: number;
    maxProjectionLagSeconds: number;
    maxRelayLagEvents: number;
    failOnParkedEvents: boolean;
    workerHttpPort?: number;
  };
}

/**
 * The embedded database lives in the process that starts it and serves that process only: a
 * process running only the API would never run the projections (its feed stays empty), one
 * running only the workers would hold the folder and serve no API.
 */
export function requireDatabaseServer(config: AppConfig, command: 'start:api' | 'start:worker'): void {
  if (!config.embedded) return;
  throw new ConfigError({
    DATABASE_URL: `required by npm run ${command}; the embedded database serves one process running the API and the workers together: npm start`,
  });
}

/** Reads and validates the environment once, at start-up. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: Record<string, string> = {};
  const given = Object.fromEntries(Object.entries(environment).filter(([name, value]) => !(EMPTY_MEANS_UNSET.has(name) && value?.trim() === '')));
  const env = cleanEnv(given, spec, {
    reporter: ({ errors }) => {
      for (const [name, error] of Object.entries(errors)) {
        if (error) problems[name] = error.message || 'missing';
      }
    },
  });
  // Checks across variables run even when others failed, so the message names every bad one; a
  // variable that failed its own check is left out of them (reading it would throw).
  const valid = <Name extends keyof typeof env>(name: Name): (typeof env)[Name] | undefined =>
    name in problems ? undefined : env[name];
  const kafkaWanted = given.KAFKA_BROKERS !== undefined;
  if (kafkaWanted && !('DATABASE_URL' in problems) && !env.DATABASE_URL) {
    problems.DATABASE_URL = 'required when KAFKA_BROKERS is set (the embedded database serves one process only)';
  }
  if (valid('RUN_MIGRATIONS') === false && !kafkaWanted && given.DATABASE_URL === undefined) {
    problems.RUN_MIGRATIONS =
      'false needs DATABASE_URL: the embedded database is migrated by the process that holds it, at start-up (npm run migrate needs DATABASE_URL)';
  }
  const poolSize = valid('DATABASE_POOL_SIZE');
  if (kafkaWanted && poolSize !== undefined && poolSize < MIN_POOL_SIZE_WITH_KAFKA) {
    problems.DATABASE_POOL_SIZE =
      `at least ${MIN_POOL_SIZE_WITH_KAFKA} when KAFKA_BROKERS is set, got ${poolSize}: ` +
      "a worker's relay keeps one connection for its lock, and the projections, scheduler and API need another";
  }
  const [requestTimeout, readWait] = [valid('REQUEST_TIMEOUT_MS'), valid('READ_WAIT_TIMEOUT_MS')];
  if (requestTimeout !== undefined && readWait !== undefined && requestTimeout <= readWait) {
    problems.REQUEST_TIMEOUT_MS = `must be more than READ_WAIT_TIMEOUT_MS (${readWait}), got ${requestTimeout}: a read waiting for its position would answer 503`;
  }
  const [articles, reactions] = [valid('KAFKA_TOPIC_ARTICLES'), valid('KAFKA_TOPIC_REACTIONS')];
  if (articles !== undefined && articles === reactions) {
    problems.KAFKA_TOPIC_REACTIONS = `must differ from KAFKA_TOPIC_ARTICLES (both "${articles}")`;
  }
  if (valid('NODE_ENV') === 'production' && (valid('JWT_SECRET') ?? '').length < 32) {
    problems.JWT_SECRET = 'required in production, at least 32 characters';
  }
  // A deployment that forgot it would otherwise keep its newsroom in a folder inside the container.
  if (valid('NODE_ENV') === 'production' && !env.DATABASE_URL && problems.DATABASE_URL === undefined) {
    problems.DATABASE_URL = 'required in production: the embedded database is for trying the service on one machine';
  }
  if (Object.keys(problems).length > 0) throw new ConfigError(problems);

  return {
    env: env.NODE_ENV,
    http: {
      // The development secret is public: whoever can reach the service could sign an admin token.
      host: env.HOST || (env.JWT_SECRET ? '0.0.0.0' : '127.0.0.1'),
      port: env.PORT,
      publicBaseUrl: (env.PUBLIC_BASE_URL || `http://localhost:${env.PORT}`).replace(/\/$/, ''),
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    },
    logLevel: env.LOG_LEVEL,
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      embeddedDataDir: env.EMBEDDED_DATA_DIR,
      runMigrations: env.RUN_MIGRATIONS,
    },
    embedded: !env.DATABASE_URL && !env.KAFKA_BROKERS,
    kafka: env.KAFKA_BROKERS
      ? {
          brokers: env.KAFKA_BROKERS,
          clientId: env.KAFKA_CLIENT_ID,
          topics: { articles: env.KAFKA_TOPIC_ARTICLES, reactions: env.KAFKA_TOPIC_REACTIONS },
          partitions: env.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: env.KAFKA_REPLICATION_FACTOR,
          groupPrefix: env.KAFKA_GROUP_PREFIX,
          sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
          cloudEventsSource: env.CLOUDEVENTS_SOURCE,
        }
      : undefined,
    relay: { batchSize: env.RELAY_BATCH_SIZE, pollMs: env.RELAY_POLL_MS, lockSessionTimeoutMs: env.RELAY_LOCK_SESSION_TIMEOUT_MS },
    projections: { batchSize: env.PROJECTION_BATCH_SIZE, pollMs: env.PROJECTION_POLL_MS },
    scheduler: { intervalMs: env.SCHEDULER_INTERVAL_MS },
    auth: { jwtSecret: env.JWT_SECRET || INSECURE_DEV_SECRET, insecureSecret: !env.JWT_SECRET },
    readWaitTimeoutMs: env.READ_WAIT_TIMEOUT_MS,
    publicCachePollMs: env.PUBLIC_CACHE_POLL_MS,
    trustProxy: env.TRUST_PROXY,
    publicCorsOrigins: env.PUBLIC_CORS_ORIGINS,
    reactions: {
      ratePerReaderPerMinute: env.REACTION_RATE_PER_READER,
      ratePerAddressPerMinute: env.REACTION_RATE_PER_ADDRESS,
      articleCacheMs: env.REACTION_ARTICLE_CACHE_MS,
    },
    operations: {
      readyCheckTimeoutMs: env.READY_CHECK_TIMEOUT_MS,
      kafkaCheckCacheMs: env.READY_KAFKA_CACHE_MS,
      maxProjectionLagSeconds: env.READY_MAX_PROJECTION_LAG_SECONDS,
      maxRelayLagEvents: env.READY_MAX_RELAY_LAG_EVENTS,
      failOnParkedEvents: env.READY_FAIL_ON_PARKED_EVENTS,
      workerHttpPort: env.WORKER_HTTP_PORT,
    },
  };
}
