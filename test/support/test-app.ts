import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import jwt from 'jsonwebtoken';
import { v7 as uuidv7 } from 'uuid';
import type { StaffRole } from '#libs/contracts';
import { createTestDatabase, type TestDatabase } from '#libs/testing';
import { createHttpApp } from '../../src/bootstrap.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';

export const TEST_JWT_SECRET = 'test-secret-for-newsroom-e2e-specs-0123456789';

export interface TestApp {
  url: string;
  app: NestFastifyApplication;
  config: AppConfig;
  database: TestDatabase;
  /** Unique topic names of this app (when it runs with Kafka). */
  topics: { articles: string; reactions: string };
  /** The environment that configures this app: hand it to a worker process to join it. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Use the test run's Kafka broker (KAFKA_BROKERS); otherwise projections read the store. */
  kafka?: boolean;
  workers?: boolean;
  env?: Record<string, string>;
  /** Reuse a database (e.g. to run a second process against it). */
  database?: TestDatabase;
}

/** The real service on a fresh PostgreSQL database (and the real broker when asked), on a free port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const suffix = uuidv7().slice(-12);
  const topics = { articles: `test.article-events.${suffix}`, reactions: `test.reactions.${suffix}` };
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Read-your-writes waits out stalls a busy CI machine causes (a transaction open anywhere on the
    // server holds back the commit-safe log): a spec that reads its writes must not race the bound.
    READ_WAIT_TIMEOUT_MS: '15000',
    ...(options.kafka
      ? {
          KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'),
          KAFKA_TOPIC_ARTICLES: topics.articles,
          KAFKA_TOPIC_REACTIONS: topics.reactions,
          KAFKA_GROUP_PREFIX: `test.${suffix}`,
          KAFKA_TOPIC_PARTITIONS: '3',
        }
      : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const app = await createHttpApp(config, { workers: options.workers ?? false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    config,
    database,
    topics,
    env,
    async close() {
      await app.close();
      if (!options.database) await database.drop();
    },
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through npm test (jest global setup)`);
  return value;
}

export function staffToken(sub: string, name: string, roles: StaffRole[], options: jwt.SignOptions = {}): string {
  return jwt.sign({ sub, name, roles }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h', ...options });
}

/** The cast of the seed story. */
export const STAFF = {
  reporter: { sub: 'alice', name: 'Alice Chen', roles: ['reporter'] as StaffRole[] },
  otherReporter: { sub: 'bob', name: 'Bob Osei', roles: ['reporter'] as StaffRole[] },
  editor: { sub: 'erin', name: 'Erin Walsh', roles: ['editor'] as StaffRole[] },
  factChecker: { sub: 'farid', name: 'Farid Haddad', roles: ['fact_checker'] as StaffRole[] },
  admin: { sub: 'ada', name: 'Ada Admin', roles: ['admin'] as StaffRole[] },
};

export const tokenOf = (who: { sub: string; name: string; roles: StaffRole[] }) => staffToken(who.sub, who.name, who.roles);

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A tiny fetch client for specs: JSON in, JSON (or text) out. */
export function httpClient(baseUrl: string) {
  async function request<T = any>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; rawBody?: string | Uint8Array; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Uint8Array | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '')) parsed = text ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }
  return {
    request,
    get: <T = any>(path: string, options?: Parameters<typeof request>[2]) => request<T>('GET', path, options),
    post: <T = any>(path: string, body?: unknown, options: Parameters<typeof request>[2] = {}) =>
      request<T>('POST', path, { ...options, body }),
    patch: <T = any>(path: string, body?: unknown, options: Parameters<typeof request>[2] = {}) =>
      request<T>('PATCH', path, { ...options, body }),
    delete: <T = any>(path: string, options?: Parameters<typeof request>[2]) => request<T>('DELETE', path, options),
  };
}
