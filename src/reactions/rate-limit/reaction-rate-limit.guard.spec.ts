import type { ExecutionContext } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { ReactionRateLimitGuard } from './reaction-rate-limit.guard.js';

const guardWith = (perReader: number, perAddress: number) =>
  new ReactionRateLimitGuard({ reactions: { ratePerReaderPerMinute: perReader, ratePerAddressPerMinute: perAddress } } as AppConfig);

const request = (readerId: string, ip: string) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ headers: { 'x-reader-id': readerId }, ip }) }) }) as unknown as ExecutionContext;

describe('ReactionRateLimitGuard', () => {
  it('refuses past the per-reader limit with a 429 that says when to come back', async () => {
    const guard = guardWith(2, 100);
    await expect(guard.canActivate(request('reader-0001', '192.0.2.1'))).resolves.toBe(true);
    await expect(guard.canActivate(request('reader-0001', '192.0.2.2'))).resolves.toBe(true);
    const refused = guard.canActivate(request('reader-0001', '192.0.2.3'));
    await expect(refused).rejects.toMatchObject({ status: 429, code: 'rate-limited', headers: { 'retry-after': expect.stringMatching(/^[1-9]\d*$/) } });
    await expect(guard.canActivate(request('reader-0002', '192.0.2.3'))).resolves.toBe(true);
  });

  it("gives a request refused by the address limit back to the reader's own", async () => {
    const guard = guardWith(2, 1);
    await expect(guard.canActivate(request('reader-aaaa', '198.51.100.7'))).resolves.toBe(true);
    // Reader B shares the busy address: refused there, so B's own budget must not be spent.
    await expect(guard.canActivate(request('reader-bbbb', '198.51.100.7'))).rejects.toMatchObject({ status: 429, extensions: { per: 'client address' } });
    await expect(guard.canActivate(request('reader-bbbb', '203.0.113.1'))).resolves.toBe(true);
    await expect(guard.canActivate(request('reader-bbbb', '203.0.113.2'))).resolves.toBe(true);
    await expect(guard.canActivate(request('reader-bbbb', '203.0.113.3'))).rejects.toMatchObject({ status: 429, extensions: { per: 'reader' } });
  });
});
