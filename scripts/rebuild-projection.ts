import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import { AppModule } from '../src/app.module.js';
import { ConfigError, loadConfig, type AppConfig } from '../src/config/app-config.js';
import { readServiceAddress } from '../src/database/embedded-service-address.js';
import { ProjectionRebuilds } from '../src/projections/projection-rebuilds.js';
import { PROJECTIONS } from '../src/projections/projection-registry.js';

/**
 * `npm run projections:rebuild -- NAME`: rebuilds one projection from the event store into fresh
 * tables and swaps them in, while the service keeps running.
 *
 * The embedded database (PGlite) belongs to one process: when a service is running on it, the
 * rebuild is asked of that service (POST /admin/projections/NAME/rebuild), at the address it wrote
 * into the folder, instead of opening it. (A service that answers nothing there still holds the
 * folder's lock, and the rebuild stops with a message that says so.)
 */
async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !PROJECTIONS.some((projection) => projection.name === name)) {
    const usage = `usage: npm run projections:rebuild -- NAME\n  NAME: ${PROJECTIONS.map((p) => p.name).join(', ')}\n`;
    process.stderr.write(name ? `"${name}" is not a projection\n${usage}` : usage);
    process.exit(2);
  }
  const config = loadConfig();
  const service = config.embedded ? await readServiceAddress(config.database.embeddedDataDir) : null;
  const result = service !== null && (await serviceIsUp(service)) ? await rebuildThroughService(service, config, name) : await rebuildHere(config, name);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/** Warnings and errors, but not Nest's own report of a failed start: main prints that one, plainly. */
class ScriptLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (rest.at(-1) !== 'ExceptionHandler') super.error(message, ...rest);
  }
}

async function rebuildHere(config: AppConfig, name: string): Promise<unknown> {
  // abortOnError false: a start-up failure (the embedded folder in use) reaches main's catch.
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, workers: false, demo: false }), {
    logger: new ScriptLogger({ logLevels: ['error', 'warn'] }),
    abortOnError: false,
  });
  try {
    return await app.get(ProjectionRebuilds).rebuild(name);
  } finally {
    await app.close();
  }
}

async function serviceIsUp(serviceUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${serviceUrl}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

async function rebuildThroughService(serviceUrl: string, config: AppConfig, name: string): Promise<unknown> {
  const token = jwt.sign({ sub: 'cli', name: 'projections:rebuild', roles: ['admin'] }, config.auth.jwtSecret, {
    algorithm: 'HS256',
    expiresIn: '5m',
  });
  const response = await fetch(`${serviceUrl}/admin/projections/${name}/rebuild?wait=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { detail?: string };
  if (response.status === 401) {
    throw new ServiceRefusedError(`the service at ${serviceUrl} refused the token (401): run this with the JWT_SECRET the service has`);
  }
  if (!response.ok) throw new ServiceRefusedError(`the service at ${serviceUrl} answered ${response.status}: ${body.detail ?? JSON.stringify(body)}`);
  return body;
}

/** The running service said no: its answer says why, and a stack would say nothing more. */
class ServiceRefusedError extends Error {}

main().catch((error: unknown) => {
  const plain = error instanceof ConfigError || error instanceof ServiceRefusedError;
  process.stderr.write(`${plain ? (error as Error).message : ((error as Error)?.stack ?? String(error))}\n`);
  process.exit(1);
});
