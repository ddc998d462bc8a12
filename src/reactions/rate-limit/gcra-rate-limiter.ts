/** A limit on one key: `limit` requests per window. */
export interface KeyedLimit {
  key: string;
  limit: number;
}

/** Which of the limits refused, and when the request would pass. */
export interface Refusal {
  index: number;
  retryAfterMs: number;
}

/**
 * In-memory rate limiter using GCRA (the generic cell rate algorithm): `limit` requests per
 * window, refilled evenly, in bursts of up to `limit`. A key costs one number (its "theoretical
 * arrival time") and a request O(1) work with no timers, unlike a log of hits per key; refused
 * requests do not count, and the refusal says exactly when the next request will pass.
 *
 * Per process: behind several API processes, each allows its own `limit`.
 */
export class GcraRateLimiter {
  private readonly arrivals = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    // A key whose arrival time has passed is the same as no key: forget it.
    this.sweeper = setInterval(() => this.sweep(), windowMs);
    this.sweeper.unref();
  }

  /**
   * Takes one request from every limit, or from none: null when taken, otherwise the limit that
   * makes the request wait longest.
   */
  take(limits: readonly KeyedLimit[]): Refusal | null {
    const now = this.now();
    let refusal: Refusal | null = null;
    for (let index = 0; index < limits.length; index++) {
      const { key, limit } = limits[index];
      const arrival = Math.max(this.arrivals.get(key) ?? now, now);
      // The request fits while the schedule it extends stays within one window.
      const waitMs = arrival + this.windowMs / limit - this.windowMs - now;
      if (waitMs > 0 && (refusal === null || waitMs > refusal.retryAfterMs)) refusal = { index, retryAfterMs: waitMs };
    }
    if (refusal !== null) return refusal;
    for (const { key, limit } of limits) {
      this.arrivals.set(key, Math.max(this.arrivals.get(key) ?? now, now) + this.windowMs / limit);
    }
    return null;
  }

  get size(): number {
    return this.arrivals.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, arrival] of this.arrivals) {
      if (arrival <= now) this.arrivals.delete(key);
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    this.arrivals.clear();
  }
}
