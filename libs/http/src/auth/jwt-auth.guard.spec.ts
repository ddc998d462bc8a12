import { jest } from '@jest/globals';
import { UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { JwtAuthGuard } from './jwt-auth.guard.js';

const secret = 'a-secret-long-enough-for-hs256-tests';
const jwt = new JwtService({ secret });
const claims = { sub: 'alice', name: 'Alice Chen', roles: ['reporter'] };

function contextWith(authorization: string): { context: ExecutionContext; request: { headers: Record<string, string>; staff?: unknown } } {
  const request = { headers: { authorization } };
  const context = {
    getHandler: () => contextWith,
    getClass: () => JwtAuthGuard,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
}

describe('JwtAuthGuard', () => {
  afterEach(() => jest.restoreAllMocks());

  it('lets a token it verified before through without verifying it again, with the same claims', async () => {
    const guard = new JwtAuthGuard(new Reflector(), jwt);
    const verify = jest.spyOn(jwt, 'verifyAsync');
    const token = jwt.sign(claims, { expiresIn: '1h' });
    const first = contextWith(`Bearer ${token}`);
    const second = contextWith(`bearer ${token}`);
    await expect(guard.canActivate(first.context)).resolves.toBe(true);
    await expect(guard.canActivate(second.context)).resolves.toBe(true);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(second.request.staff).toEqual({ sub: 'alice', name: 'Alice Chen', roles: ['reporter'] });
    expect(Object.isFrozen(second.request.staff)).toBe(true);
  });

  it('refuses a remembered token once its exp has passed', async () => {
    const guard = new JwtAuthGuard(new Reflector(), jwt);
    const issuedAt = Date.now();
    const token = jwt.sign(claims, { expiresIn: 30 });
    await expect(guard.canActivate(contextWith(`Bearer ${token}`).context)).resolves.toBe(true);
    jest.spyOn(Date, 'now').mockReturnValue(issuedAt + 31_000);
    await expect(guard.canActivate(contextWith(`Bearer ${token}`).context)).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it.each(['system:scheduler', 'reader:reader-0001', 'SYSTEM:scheduler', ' system:x'])('refuses a token whose sub is one the service gives its own actors: %s', async (sub) => {
    const guard = new JwtAuthGuard(new Reflector(), jwt);
    const token = jwt.sign({ ...claims, sub }, { expiresIn: '1h' });
    await expect(guard.canActivate(contextWith(`Bearer ${token}`).context)).rejects.toBeInstanceOf(UnauthorizedException);
  });

  it('refuses a token without exp, which could never be taken back, saying so', async () => {
    const guard = new JwtAuthGuard(new Reflector(), jwt);
    const forever = jwt.sign(claims);
    await expect(guard.canActivate(contextWith(`Bearer ${forever}`).context)).rejects.toThrow(/no exp claim/);
  });

  it('refuses a token whose header names critical extensions (crit), as RFC 7515 asks of a service that knows none', async () => {
    const guard = new JwtAuthGuard(new Reflector(), jwt);
    const critical = jwt.sign(claims, { expiresIn: '1h', header: { alg: 'HS256', crit: ['exp'] } as never });
    await expect(guard.canActivate(contextWith(`Bearer ${critical}`).context)).rejects.toThrow(/crit/);
  });

  it('refuses a token that names an exp more than 30 days away, which would all but never expire', async () => {
    const guard = new JwtAuthGuard(new Reflector(), jwt);
    const now = Math.floor(Date.now() / 1000);
    const farOff = jwt.sign({ ...claims, exp: now + 31 * 24 * 3600 });
    await expect(guard.canActivate(contextWith(`Bearer ${farOff}`).context)).rejects.toThrow(/more than 30 days/);
    const month = jwt.sign({ ...claims, exp: now + 29 * 24 * 3600 });
    await expect(guard.canActivate(contextWith(`Bearer ${month}`).context)).resolves.toBe(true);
  });

  it('takes more than one space after Bearer (RFC 6750)', async () => {
    const guard = new JwtAuthGuard(new Reflector(), jwt);
    await expect(guard.canActivate(contextWith(`Bearer   ${jwt.sign(claims, { expiresIn: '1h' })}`).context)).resolves.toBe(true);
  });

  it('counts the characters of sub and name as code points, as every other field does', async () => {
    const guard = new JwtAuthGuard(new Reflector(), jwt);
    const emoji = { ...claims, sub: '😀'.repeat(200), name: '😀'.repeat(200) };
    await expect(guard.canActivate(contextWith(`Bearer ${jwt.sign(emoji, { expiresIn: '1h' })}`).context)).resolves.toBe(true);
    const tooLong = { ...claims, name: '😀'.repeat(201) };
    await expect(guard.canActivate(contextWith(`Bearer ${jwt.sign(tooLong, { expiresIn: '1h' })}`).context)).rejects.toThrow(/at most 200/);
  });

  it.each([
    ['sub', { sub: 'a'.repeat(201) }],
    ['name', { name: 'A'.repeat(201) }],
  ])('refuses a %s over 200 characters (the longest id or name the service keeps)', async (_, long) => {
    const guard = new JwtAuthGuard(new Reflector(), jwt);
    await expect(guard.canActivate(contextWith(`Bearer ${jwt.sign({ ...claims, ...long }, { expiresIn: '1h' })}`).context)).rejects.toThrow(/at most 200/);
    const longest = { ...claims, sub: 'a'.repeat(200), name: 'A'.repeat(200) };
    await expect(guard.canActivate(contextWith(`Bearer ${jwt.sign(longest, { expiresIn: '1h' })}`).context)).resolves.toBe(true);
  });

  it('never remembers a token that failed: a forged one fails every time', async () => {
    const guard = new JwtAuthGuard(new Reflector(), jwt);
    const forged = new JwtService({ secret: 'another-secret-of-the-same-length-xx' }).sign(claims);
    const verify = jest.spyOn(jwt, 'verifyAsync');
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(guard.canActivate(contextWith(`Bearer ${forged}`).context)).rejects.toBeInstanceOf(UnauthorizedException);
    }
    expect(verify).toHaveBeenCalledTimes(2);
  });
});
