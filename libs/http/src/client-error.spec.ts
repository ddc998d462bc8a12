import type { Socket } from 'node:net';
import { answerClientError } from './client-error.js';

/** What answerClientError wrote to a socket, and whether it closed it. */
function answer(code: string, socketState: { destroyed?: boolean; writable?: boolean } = {}) {
  const written: string[] = [];
  let destroyedWith: unknown = null;
  const socket = {
    destroyed: socketState.destroyed ?? false,
    writable: socketState.writable ?? true,
    write: (chunk: string) => written.push(chunk),
    destroy: (error: unknown) => (destroyedWith = error),
  } as unknown as Socket;
  const error = Object.assign(new Error(code), { code });
  answerClientError(error, socket);
  const [head = '', body = ''] = written.join('').split('\r\n\r\n');
  return { head, body: body ? JSON.parse(body) : null, closed: destroyedWith === error };
}

describe('answerClientError', () => {
  it.each([
    ['HPE_INVALID_METHOD', 400, 'malformed-http'],
    ['HPE_INVALID_CONSTANT', 400, 'malformed-http'],
    ['HPE_HEADER_OVERFLOW', 431, 'headers-too-large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request-timeout'],
  ])('answers %s with %i problem+json and closes the connection', (code, status, problem) => {
    const { head, body, closed } = answer(code);
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head).toContain('\r\nContent-Type: application/problem+json\r\n');
    expect(head).toContain('\r\nConnection: close\r\n');
    const errors = status === 400 ? { errors: [{ field: 'request', message: body.detail }] } : {};
    expect(body).toEqual({ type: `https://newsroom.dev/problems/${problem}`, title: expect.any(String), status, detail: expect.stringContaining(code), ...errors });
    expect(closed).toBe(true);
  });

  it('writes nothing to a connection the client already reset or that cannot take it', () => {
    expect(answer('ECONNRESET')).toEqual({ head: '', body: null, closed: false });
    expect(answer('HPE_INVALID_METHOD', { destroyed: true })).toEqual({ head: '', body: null, closed: false });
    expect(answer('HPE_INVALID_METHOD', { writable: false })).toMatchObject({ head: '', closed: true });
  });
});
