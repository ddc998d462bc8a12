import { ConfigError } from './app-config.js';
import { listenError } from './listen-error.js';

const failure = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

describe('listenError', () => {
  it('names the port setting the server listens on when the port is taken or privileged', () => {
    const busy = listenError(failure('EADDRINUSE'), '127.0.0.1', 3601, 'WORKER_HTTP_PORT');
    expect(busy).toBeInstanceOf(ConfigError);
    expect((busy as ConfigError).problems).toEqual({ WORKER_HTTP_PORT: '3601 is in use on 127.0.0.1 by another process' });
    expect((listenError(failure('EACCES'), '0.0.0.0', 80, 'PORT') as ConfigError).problems).toEqual({ PORT: '80 needs privileges this process does not have' });
  });

  it('names HOST for an address that is not this machine, and leaves other errors as they are', () => {
    expect(Object.keys((listenError(failure('EADDRNOTAVAIL'), '10.9.9.9', 3000, 'PORT') as ConfigError).problems)).toEqual(['HOST']);
    const other = failure('EMFILE');
    expect(listenError(other, '127.0.0.1', 3000, 'PORT')).toBe(other);
  });
});
