/**
 * Runs a real Apache Kafka broker (KRaft, single node) in the foreground for local development,
 * from the jars tools/kafka/pom.xml fetches; no Docker needed. Ctrl-C stops it.
 *
 *   npm run kafka                         a free port, throwaway data
 *   npm run kafka -- --port 9092          a fixed port
 *   npm run kafka -- --data-dir .data/kafka   keep the data between runs
 *   npm run kafka -- --fetch-only         only download the jars (e.g. before going offline)
 */
import { parseArgs } from 'node:util';
import { ensureKafkaJars, KafkaBroker } from '#libs/testing';

const usage = 'usage: npm run kafka -- [--port N] [--controller-port N] [--data-dir DIR] [--fetch-only]';

function options() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        'controller-port': { type: 'string' },
        'data-dir': { type: 'string' },
        'fetch-only': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    // An unknown option or a stray argument: the reason and the usage, not parseArgs' stack.
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

const values = options();

function portOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error(`--${name} must be a TCP port, got "${value}"`);
    process.exit(2);
  }
  return port;
}

async function main(): Promise<void> {
  if (values.help) {
    console.log(usage);
    return;
  }
  if (values['fetch-only']) {
    console.log(`Kafka jars ready in ${await ensureKafkaJars()}`);
    return;
  }

  const startedAt = Date.now();
  const broker = await KafkaBroker.start({
    port: portOption('port', values.port),
    controllerPort: portOption('controller-port', values['controller-port']),
    dataDir: values['data-dir'],
  });
  console.log(`Kafka broker listening on ${broker.brokers} (started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  console.log(`  data: ${broker.dataDir}${values['data-dir'] ? '' : ' (removed on exit)'}`);
  console.log(`  logs: ${broker.logDir}/broker.log`);
  console.log(`  export KAFKA_BROKERS=${broker.brokers}`);
  console.log('Ctrl-C to stop.');

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the broker...`);
    await broker.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // Also keeps Node alive: the broker's process handle does not.
  setInterval(() => {
    if (!broker.running && !stopping) {
      console.error(`The broker exited unexpectedly; see ${broker.logDir}/broker.log`);
      process.exit(1);
    }
  }, 1000);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
