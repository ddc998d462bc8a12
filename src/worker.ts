import 'reflect-metadata';
import { createWorkerApp } from './bootstrap.js';
import { ConfigError, loadConfig, requireDatabaseServer } from './config/app-config.js';
import { listenError } from './config/listen-error.js';
import { WorkerHttpServer } from './workers/worker-http-server.js';

/** Relay, projections and scheduler, without HTTP. Run as many as you like. */
async function main(): Promise<void> {
  const config = loadConfig();
  requireDatabaseServer(config, 'start:worker');
  const app = await createWorkerApp(config);
  // Optional: probes and scrapes for a process that otherwise has no HTTP server.
  if (config.operations.workerHttpPort !== undefined) {
    const port = config.operations.workerHttpPort;
    await app
      .get(WorkerHttpServer)
      .listen(port, config.http.host)
      .catch(async (error: NodeJS.ErrnoException) => {
        await app.close();
        throw listenError(error, config.http.host, port, 'WORKER_HTTP_PORT');
      });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
