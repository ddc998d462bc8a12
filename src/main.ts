import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createHttpApp } from './bootstrap.js';
import { ConfigError, loadConfig, requireDatabaseServer } from './config/app-config.js';
import { listenError } from './config/listen-error.js';
import { localUrl, writeServiceAddress } from './database/embedded-service-address.js';

/** The HTTP API; with --with-workers (what `npm start` passes) the workers run in this process too. */
async function main(): Promise<void> {
  const config = loadConfig();
  const workers = process.argv.includes('--with-workers');
  if (!workers) requireDatabaseServer(config, 'start:api');
  const app = await createHttpApp(config, { workers });
  await app.listen(config.http.port, config.http.host).catch(async (error: NodeJS.ErrnoException) => {
    await app.close();
    throw listenError(error, config.http.host, config.http.port, 'PORT');
  });
  // `npm run projections:rebuild` finds the service that holds the embedded folder here.
  if (config.embedded) await writeServiceAddress(config.database.embeddedDataDir, localUrl(config.http.host, config.http.port));
  const mode = `${config.embedded ? 'embedded PostgreSQL, projections from the store' : 'PostgreSQL'}${config.kafka ? ' + Kafka' : ''}${workers ? ', workers in this process' : ''}`;
  if (config.env === 'production') {
    // Production logs are JSON lines only.
    new Logger('Newsroom').log({ msg: 'listening', host: config.http.host, port: config.http.port, mode });
    return;
  }
  const url = localUrl(config.http.host, config.http.port);
  process.stdout.write(
    [
      `Newsroom listening on ${url} (${mode})`,
      `  staff token: npm run -s token -- --sub alice --name "Alice Chen" --roles reporter,editor`,
      config.auth.insecureSecret
        ? `  JWT_SECRET is unset: using the development secret (never in production)${config.http.host === '127.0.0.1' ? ', so listening on this machine only' : ''}`
        : '',
    ]
      .filter(Boolean)
      .join('\n') + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
