import 'reflect-metadata';
import { createWorkerApp } from './bootstrap.js';
import { ConfigError, loadConfig } from './config/app-config.js';

/** Relay, projections and scheduler, without HTTP. Run as many as you like. */
async function main(): Promise<void> {
  await createWorkerApp(loadConfig());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
