import { ConfigError } from './app-config.js';

/**
 * An address a server cannot listen on is a setting to fix: name it. `portVariable` is the
 * setting the port came from (PORT for the API, WORKER_HTTP_PORT for a worker's probes).
 */
export function listenError(error: NodeJS.ErrnoException, host: string, port: number, portVariable: 'PORT' | 'WORKER_HTTP_PORT'): Error {
  if (error.code === 'EADDRINUSE') return new ConfigError({ [portVariable]: `${port} is in use on ${host} by another process` });
  if (error.code === 'EACCES') return new ConfigError({ [portVariable]: `${port} needs privileges this process does not have` });
  if (error.code === 'ENOTFOUND' || error.code === 'EADDRNOTAVAIL' || error.code === 'EAI_AGAIN') {
    return new ConfigError({ HOST: `cannot listen on "${host}": not an address of this machine (${error.code})` });
  }
  return error;
}
