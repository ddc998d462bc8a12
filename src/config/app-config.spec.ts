import { ConfigError, INSECURE_DEV_SECRET, loadConfig, requireDatabaseServer } from './app-config.js';

const WITH_KAFKA = { DATABASE_URL: 'postgres://db/newsroom', KAFKA_BROKERS: 'k1:9092' };

/** The problems of a refused environment; the error's message names each. */
function problemsOf(environment: Record<string, string>): Record<string, string> {
  try {
    loadConfig(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    for (const name of Object.keys(problems)) expect(message).toContain(`${name}: `);
    return problems;
  }
  throw new Error(`accepted ${JSON.stringify(environment)}`);
}

describe('loadConfig', () => {
  it('runs embedded with defaults on a bare environment', () => {
    const config = loadConfig({});
    expect(config.embedded).toBe(true);
    expect(config.kafka).toBeUndefined();
    expect(config.http.port).toBe(3000);
    expect(config.http.bodyLimitBytes).toBe(1_048_576);
    expect(config.auth).toEqual({ jwtSecret: INSECURE_DEV_SECRET, insecureSecret: true });
  });

  it('takes an empty value as unset where unset means none (the embedded database, no Kafka), and refuses it where there is a default', () => {
    const config = loadConfig({ DATABASE_URL: '', KAFKA_BROKERS: ' ', JWT_SECRET: '', HOST: '', WORKER_HTTP_PORT: '', PUBLIC_BASE_URL: '' });
    expect(config.embedded).toBe(true);
    expect(config.database.url).toBeUndefined();
    expect(config.kafka).toBeUndefined();
    expect(config.auth.insecureSecret).toBe(true);
    expect(config.http.host).toBe('127.0.0.1');
    expect(config.operations.workerHttpPort).toBeUndefined();
    expect(config.http.publicBaseUrl).toBe('http://localhost:3000');
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', KAFKA_BROKERS: '' }).kafka).toBeUndefined();
    expect(problemsOf({ PORT: '' })).toHaveProperty('PORT');
  });

  it('listens on this machine only while the development secret is in use, on every address once JWT_SECRET is set', () => {
    expect(loadConfig({}).http.host).toBe('127.0.0.1');
    expect(loadConfig({ JWT_SECRET: 'a-secret-of-the-deployment-0123456789' }).http.host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).http.host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '::' }).http.host).toBe('::');
    expect(loadConfig({ HOST: 'localhost' }).http.host).toBe('localhost');
  });

  it('takes *, none or a list of exact origins for CORS, and refuses a wildcard inside an origin', () => {
    expect(loadConfig({}).publicCorsOrigins).toBe('*');
    expect(loadConfig({ PUBLIC_CORS_ORIGINS: 'none' }).publicCorsOrigins).toEqual([]);
    expect(loadConfig({ PUBLIC_CORS_ORIGINS: 'https://news.example.com, http://localhost:8080' }).publicCorsOrigins).toEqual([
      'https://news.example.com',
      'http://localhost:8080',
    ]);
    for (const bad of ['https://*.example', 'news.example.com', 'https://news.example.com/', 'ftp://x.example']) {
      expect(problemsOf({ PUBLIC_CORS_ORIGINS: bad })).toHaveProperty('PUBLIC_CORS_ORIGINS');
    }
  });

  it('takes true, false, or the trusted proxies as Fastify compiles them, and refuses what it would not', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1/128, loopback' }).trustProxy).toEqual(['10.0.0.0/8', '::1/128', 'loopback']);
    for (const bad of ['10.0.0.0/33', '10.0.0.0/999', '::1/200', 'proxy.example', '10.0.0.1/x']) {
      expect(problemsOf({ TRUST_PROXY: bad }).TRUST_PROXY).toContain(bad);
    }
  });

  it('uses PostgreSQL and Kafka when both are given', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://db/newsroom',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      KAFKA_TOPIC_PARTITIONS: '12',
      JWT_SECRET: 's3cret',
    });
    expect(config.embedded).toBe(false);
    expect(config.kafka?.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(loadConfig({ ...WITH_KAFKA, KAFKA_BROKERS: 'k1:1,k2:65535' }).kafka?.brokers).toEqual(['k1:1', 'k2:65535']);
    expect(config.kafka?.partitions).toBe(12);
    expect(config.kafka?.topics).toEqual({ articles: 'newsroom.article-events.v1', reactions: 'newsroom.reactions.v1' });
    expect(config.auth.insecureSecret).toBe(false);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ HOST: 'not_a_host' }, 'HOST'],
    [{ KAFKA_BROKERS: 'not a broker', DATABASE_URL: 'postgres://db/x' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: '127.0.0.1:99999', DATABASE_URL: 'postgres://db/x' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'k1:9092,k2:0', DATABASE_URL: 'postgres://db/x' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: 'k1:9092' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL'],
    [{ BODY_LIMIT_BYTES: '-5' }, 'BODY_LIMIT_BYTES'],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ RUN_MIGRATIONS: 'false' }, 'RUN_MIGRATIONS'],
    [{ RUN_MIGRATIONS: 'false', DATABASE_URL: '' }, 'RUN_MIGRATIONS'],
    [{ ...WITH_KAFKA, DATABASE_POOL_SIZE: '1' }, 'DATABASE_POOL_SIZE'],
    [{ KAFKA_TOPIC_ARTICLES: 'articles with spaces' }, 'KAFKA_TOPIC_ARTICLES'],
    [{ KAFKA_TOPIC_REACTIONS: 'reactions/v1' }, 'KAFKA_TOPIC_REACTIONS'],
    [{ KAFKA_TOPIC_ARTICLES: '' }, 'KAFKA_TOPIC_ARTICLES'],
    [{ KAFKA_TOPIC_ARTICLES: '..' }, 'KAFKA_TOPIC_ARTICLES'],
    [{ KAFKA_TOPIC_ARTICLES: 'x'.repeat(250) }, 'KAFKA_TOPIC_ARTICLES'],
    [{ ...WITH_KAFKA, KAFKA_TOPIC_ARTICLES: 'newsroom.reactions.v1' }, 'KAFKA_TOPIC_REACTIONS'],
    [{ KAFKA_TOPIC_ARTICLES: 'same', KAFKA_TOPIC_REACTIONS: 'same' }, 'KAFKA_TOPIC_REACTIONS'],
    [{ CLOUDEVENTS_SOURCE: '' }, 'CLOUDEVENTS_SOURCE'],
    [{ CLOUDEVENTS_SOURCE: 'news room' }, 'CLOUDEVENTS_SOURCE'],
    [{ CLOUDEVENTS_SOURCE: '/newsroom#a#b' }, 'CLOUDEVENTS_SOURCE'],
    [{ CLOUDEVENTS_SOURCE: '1news:room' }, 'CLOUDEVENTS_SOURCE'],
    [{ CLOUDEVENTS_SOURCE: 'https://exa<mple>.com/newsroom' }, 'CLOUDEVENTS_SOURCE'],
    [{ CLOUDEVENTS_SOURCE: 'https://[::1/newsroom' }, 'CLOUDEVENTS_SOURCE'],
    [{ CLOUDEVENTS_SOURCE: '/news%zzroom' }, 'CLOUDEVENTS_SOURCE'],
    // An empty line in a compose or .env file: a client id, a group prefix, a folder must say something.
    [{ ...WITH_KAFKA, KAFKA_CLIENT_ID: '' }, 'KAFKA_CLIENT_ID'],
    [{ ...WITH_KAFKA, KAFKA_GROUP_PREFIX: '' }, 'KAFKA_GROUP_PREFIX'],
    [{ KAFKA_GROUP_PREFIX: 'news room' }, 'KAFKA_GROUP_PREFIX'],
    [{ EMBEDDED_DATA_DIR: ' ' }, 'EMBEDDED_DATA_DIR'],
    [{ PUBLIC_BASE_URL: 'ftp://news.example' }, 'PUBLIC_BASE_URL'],
    [{ PUBLIC_BASE_URL: 'news.example' }, 'PUBLIC_BASE_URL'],
    [{ REQUEST_TIMEOUT_MS: '3000' }, 'REQUEST_TIMEOUT_MS'],
    [{ REQUEST_TIMEOUT_MS: '5000', READ_WAIT_TIMEOUT_MS: '8000' }, 'REQUEST_TIMEOUT_MS'],
    // The broker's own bounds for a consumer group's session.
    [{ ...WITH_KAFKA, KAFKA_SESSION_TIMEOUT_MS: '5999' }, 'KAFKA_SESSION_TIMEOUT_MS'],
    [{ ...WITH_KAFKA, KAFKA_SESSION_TIMEOUT_MS: '1800001' }, 'KAFKA_SESSION_TIMEOUT_MS'],
  ])('refuses %j and names %s', (environment, name) => {
    expect(Object.keys(problemsOf(environment))).toEqual([name]);
  });

  it('leaves migrations to npm run migrate only on PostgreSQL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', RUN_MIGRATIONS: 'false' }).database.runMigrations).toBe(false);
    expect(loadConfig({}).database.runMigrations).toBe(true);
  });

  it('accepts a pool of 1 without Kafka (embedded or log-fed) and of 2 with it', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', DATABASE_POOL_SIZE: '1' }).database.poolSize).toBe(1);
    expect(loadConfig({ ...WITH_KAFKA, DATABASE_POOL_SIZE: '2' }).database.poolSize).toBe(2);
  });

  it.each([
    '/newsroom',
    'newsroom',
    'https://newsroom.example.com/articles?edition=eu#v1',
    'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
    'mailto:desk@example.com',
    '//example.com/newsroom',
    'http://[2001:db8::1]:8080/newsroom',
    '/news%20room',
    "/a/b;c=d/~e_f-g.h!$&'()*+,=:@",
  ])('takes CLOUDEVENTS_SOURCE %s (a URI-reference)', (source) => {
    expect(loadConfig({ ...WITH_KAFKA, CLOUDEVENTS_SOURCE: source }).kafka?.cloudEventsSource).toBe(source);
  });

  it('takes topic names Kafka takes', () => {
    const config = loadConfig({ ...WITH_KAFKA, KAFKA_TOPIC_ARTICLES: 'a.B_c-1', KAFKA_TOPIC_REACTIONS: 'x'.repeat(249) });
    expect(config.kafka?.topics).toEqual({ articles: 'a.B_c-1', reactions: 'x'.repeat(249) });
  });

  it('names every bad variable, those of the checks across variables too', () => {
    const problems = problemsOf({
      KAFKA_BROKERS: 'not a broker',
      DATABASE_POOL_SIZE: '1',
      KAFKA_TOPIC_ARTICLES: 'same',
      KAFKA_TOPIC_REACTIONS: 'same',
      CLOUDEVENTS_SOURCE: 'not a uri',
      NODE_ENV: 'production',
      PORT: 'eighty',
    });
    expect(Object.keys(problems).sort()).toEqual(
      ['CLOUDEVENTS_SOURCE', 'DATABASE_POOL_SIZE', 'DATABASE_URL', 'JWT_SECRET', 'KAFKA_BROKERS', 'KAFKA_TOPIC_REACTIONS', 'PORT'].sort(),
    );
    expect(problems.DATABASE_POOL_SIZE).toMatch(/at least 2 when KAFKA_BROKERS is set/);
    expect(problems.KAFKA_TOPIC_REACTIONS).toMatch(/must differ from KAFKA_TOPIC_ARTICLES/);
  });

  it('refuses a time longer than Node can wait (2^31 - 1 ms), which would fire at once, naming the variable', () => {
    const problems = problemsOf({ REQUEST_TIMEOUT_MS: '3000000000', PUBLIC_CACHE_POLL_MS: '2147483648', SCHEDULER_INTERVAL_MS: '0' });
    expect(Object.keys(problems).sort()).toEqual(['PUBLIC_CACHE_POLL_MS', 'REQUEST_TIMEOUT_MS', 'SCHEDULER_INTERVAL_MS']);
    expect(problems.REQUEST_TIMEOUT_MS).toMatch(/milliseconds from 1 to 2147483647/);
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '2147483647', PUBLIC_CACHE_POLL_MS: '0' })).toMatchObject({ http: { requestTimeoutMs: 2147483647 }, publicCachePollMs: 0 });
  });

  it('refuses a relay lock session shorter than 3 s (its heartbeat would not keep it), or takes 0 for none', () => {
    expect(problemsOf({ RELAY_LOCK_SESSION_TIMEOUT_MS: '1' }).RELAY_LOCK_SESSION_TIMEOUT_MS).toMatch(/0 or milliseconds from 3000/);
    expect(loadConfig({ RELAY_LOCK_SESSION_TIMEOUT_MS: '0' }).relay.lockSessionTimeoutMs).toBe(0);
    expect(loadConfig({ RELAY_LOCK_SESSION_TIMEOUT_MS: '3000' }).relay.lockSessionTimeoutMs).toBe(3000);
  });

  it('leaves a variable that failed its own check out of the checks across variables', () => {
    expect(Object.keys(problemsOf({ ...WITH_KAFKA, DATABASE_POOL_SIZE: 'none' }))).toEqual(['DATABASE_POOL_SIZE']);
    expect(Object.keys(problemsOf({ NODE_ENV: 'prod' }))).toEqual(['NODE_ENV']);
    expect(Object.keys(problemsOf({ KAFKA_TOPIC_ARTICLES: 'a b', KAFKA_TOPIC_REACTIONS: 'a b' })).sort()).toEqual([
      'KAFKA_TOPIC_ARTICLES',
      'KAFKA_TOPIC_REACTIONS',
    ]);
  });

  it('refuses the embedded database to a process running only the API or only the workers, naming DATABASE_URL', () => {
    for (const command of ['start:api', 'start:worker'] as const) {
      expect(() => requireDatabaseServer(loadConfig({}), command)).toThrow(ConfigError);
      expect(() => requireDatabaseServer(loadConfig({ DATABASE_URL: '' }), command)).toThrow(`DATABASE_URL: required by npm run ${command}`);
      expect(() => requireDatabaseServer(loadConfig({ DATABASE_URL: 'postgres://db/x' }), command)).not.toThrow();
    }
  });
});
