import { GcraRateLimiter } from './gcra-rate-limiter.js';

describe('GcraRateLimiter', () => {
  let now: number;
  let limiter: GcraRateLimiter;

  beforeEach(() => {
    now = 1_000_000;
    limiter = new GcraRateLimiter(60_000, () => now);
  });
  afterEach(() => limiter.close());

  const take = (key: string, limit: number) => limiter.take([{ key, limit }]);

  it('lets a burst of `limit` through, then one request per window/limit, saying exactly when', () => {
    for (let i = 0; i < 3; i++) expect(take('k', 3)).toBeNull();
    expect(take('k', 3)).toEqual({ index: 0, retryAfterMs: 20_000 });
    now += 19_000;
    expect(take('k', 3)).toEqual({ index: 0, retryAfterMs: 1_000 });
    now += 1_000;
    expect(take('k', 3)).toBeNull();
    expect(take('k', 3)).not.toBeNull();
  });

  it('does not count refused requests, and refills fully after a quiet window', () => {
    for (let i = 0; i < 2; i++) take('k', 2);
    for (let i = 0; i < 50; i++) expect(take('k', 2)).not.toBeNull();
    now += 60_000;
    expect(take('k', 2)).toBeNull();
    expect(take('k', 2)).toBeNull();
    expect(take('k', 2)).not.toBeNull();
  });

  it('takes from all limits or from none, and names the one that refuses longest', () => {
    expect(limiter.take([{ key: 'reader', limit: 1 }, { key: 'address', limit: 3 }])).toBeNull();
    // The reader refuses: the address is not charged.
    expect(limiter.take([{ key: 'reader', limit: 1 }, { key: 'address', limit: 3 }])).toEqual({ index: 0, retryAfterMs: 60_000 });
    expect(limiter.take([{ key: 'other', limit: 1 }, { key: 'address', limit: 3 }])).toBeNull();
    expect(limiter.take([{ key: 'third', limit: 1 }, { key: 'address', limit: 3 }])).toBeNull();
    expect(limiter.take([{ key: 'fourth', limit: 1 }, { key: 'address', limit: 3 }])).toEqual({ index: 1, retryAfterMs: 20_000 });
    expect(take('fourth', 1)).toBeNull();
  });

  it('forgets idle keys', () => {
    take('a', 1);
    take('b', 1);
    expect(limiter.size).toBe(2);
    now += 60_000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });
});
