import { readFile, writeFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';

/**
 * Where the service that holds an embedded database folder listens, written into that folder: a
 * script that needs the database (a rebuild) asks that service, and not whatever answers on PORT.
 */
interface ServiceAddress {
  url: string;
  pid: number;
}

const addressFile = (dataDir: string) => join(dataDir, 'newsroom.service.json');

/** The address this machine reaches a service at that listens on `host` (any-address hosts included). */
export function localUrl(host: string, port: number): string {
  if (host === '0.0.0.0') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return isIPv6(host) ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

export async function writeServiceAddress(dataDir: string, url: string): Promise<void> {
  const address: ServiceAddress = { url, pid: process.pid };
  await writeFile(addressFile(dataDir), `${JSON.stringify(address)}\n`);
}

/**
 * The address of the service holding the folder, or null: none was written, or the process that
 * wrote it is gone (a crash leaves the file behind).
 */
export async function readServiceAddress(dataDir: string): Promise<string | null> {
  let address: ServiceAddress;
  try {
    address = JSON.parse(await readFile(addressFile(dataDir), 'utf8')) as ServiceAddress;
  } catch {
    return null;
  }
  return isRunning(address.pid) ? address.url : null;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
