import 'reflect-metadata';
import { createHttpApp } from './bootstrap.js';
import { ConfigError, loadConfig } from './config/app-config.js';

/** The HTTP API; with --with-workers (what `npm start` passes) the workers run in this process too. */
async function main(): Promise<void> {
  const config = loadConfig();
  const workers = process.argv.includes('--with-workers');
  const app = await createHttpApp(config, { workers });
  await app.listen(config.http.port, config.http.host);
  const url = `http://${config.http.host === '0.0.0.0' ? 'localhost' : config.http.host}:${config.http.port}`;
  process.stdout.write(
    [
      `Newsroom listening on ${url} (${config.embedded ? 'embedded PostgreSQL, projections from the store' : 'PostgreSQL'}${config.kafka ? ' + Kafka' : ''}${workers ? ', workers in this process' : ''})`,
      `  staff token: npm run token -- --sub alice --name "Alice Chen" --roles reporter,editor`,
      config.auth.insecureSecret ? '  JWT_SECRET is unset: using the development secret (never in production)' : '',
    ]
      .filter(Boolean)
      .join('\n') + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
