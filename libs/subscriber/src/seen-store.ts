/**
 * Which events a subscriber has already handled, by CloudEvents id (`ce_id`). Delivery is
 * at-least-once, so the same event can come again (a batch redelivered after a failure or a
 * rebalance); the subscriber skips ids the store has seen.
 *
 * Replace the in-memory default with a persistent store (a table keyed by event id, written in the
 * same transaction as the handler's own changes) to deduplicate across restarts too.
 */
export interface SeenStore {
  has(eventId: string): boolean | Promise<boolean>;
  /** Called once the event's handler has succeeded. */
  add(eventId: string): void | Promise<void>;
  /** Forgets every id: replay() calls it so that replayed events are handled again. */
  clear(): void | Promise<void>;
}

export const DEFAULT_SEEN_CAPACITY = 50_000;

/**
 * Remembers the last `capacity` event ids. Redeliveries come within a batch or two of the first
 * delivery, so a window of recent ids catches them while memory stays bounded.
 */
export class InMemorySeenStore implements SeenStore {
  // A Set iterates in insertion order: the first id is always the oldest.
  private readonly ids = new Set<string>();

  constructor(readonly capacity = DEFAULT_SEEN_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`InMemorySeenStore: capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.ids.size;
  }

  has(eventId: string): boolean {
    return this.ids.has(eventId);
  }

  add(eventId: string): void {
    if (this.ids.has(eventId)) return;
    this.ids.add(eventId);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }

  clear(): void {
    this.ids.clear();
  }
}
