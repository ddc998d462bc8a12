/**
 * Jest global setup: every test worker gets a PostgreSQL (DATABASE_URL) and a real Kafka broker
 * (KAFKA_BROKERS). Those named in the environment are used as they are; whatever is missing is
 * started here and stopped by global-teardown.ts. TEST_SERVICES=none skips both (unit-only runs).
 */
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

type Stop = () => Promise<void>;

declare global {
  // Handed from global setup to global teardown (same process).
  var __newsroomTestServices: Stop[] | undefined;
}

export default async function globalSetup(_globalConfig: unknown, projectConfig: { rootDir: string }): Promise<void> {
  if (process.env.TEST_SERVICES === 'none') {
    console.log('\n[test services] none (TEST_SERVICES=none): specs needing PostgreSQL or Kafka will fail');
    return;
  }
  // Node, not jest, loads what this file imports: teach it our TypeScript layout first.
  register('./test/typescript-hooks.mjs', pathToFileURL(`${projectConfig.rootDir}/`));
  const { ensurePostgres } = await import('../libs/testing/src/postgres-server.js');
  const { KafkaBroker } = await import('../libs/testing/src/kafka-broker.js');
  const stops: Stop[] = [];
  globalThis.__newsroomTestServices = stops;

  const postgres = async (): Promise<string> => {
    if (process.env.DATABASE_URL) return `PostgreSQL ${redact(process.env.DATABASE_URL)} (DATABASE_URL)`;
    const server = await ensurePostgres();
    stops.push(server.stop);
    process.env.DATABASE_URL = server.url;
    return `PostgreSQL ${redact(server.url)}`;
  };
  const kafka = async (): Promise<string> => {
    if (process.env.KAFKA_BROKERS) return `Kafka ${process.env.KAFKA_BROKERS} (KAFKA_BROKERS)`;
    const startedAt = Date.now();
    const broker = await KafkaBroker.start();
    stops.push(() => broker.destroy());
    process.env.KAFKA_BROKERS = broker.brokers;
    return `Kafka ${broker.brokers} (started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s, data ${broker.dataDir})`;
  };

  const results = await Promise.allSettled([postgres(), kafka()]);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    await stopAll(stops);
    throw failures[0].reason;
  }
  const descriptions = results.map((r) => (r as PromiseFulfilledResult<string>).value);
  console.log(`\n[test services] ${descriptions.join('; ')}`);
}

async function stopAll(stops: Stop[]): Promise<void> {
  await Promise.allSettled(stops.splice(0).map((stop) => stop()));
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
