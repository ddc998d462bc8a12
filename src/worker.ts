import 'reflect-metadata';
import { createWorkerApp } from './bootstrap.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { WorkerHttpServer } from './workers/worker-http-server.js';

/** Relay, projections and scheduler, without HTTP. Run as many as you like. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createWorkerApp(config);
  // Optional: probes and scrapes for a process that otherwise has no HTTP server.
  if (config.operations.workerHttpPort !== undefined) {
    await app.get(WorkerHttpServer).listen(config.operations.workerHttpPort, config.http.host);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
