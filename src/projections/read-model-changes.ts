import { Injectable } from '@nestjs/common';

type Listener = (projection: string) => void;

/**
 * In-process news that a projection of this process committed a batch, so that readers in the
 * same process (the public read cache) need not wait for their next poll of the database to
 * notice. Processes without projections hear nothing and rely on their polls.
 */
@Injectable()
export class ReadModelChanges {
  private readonly listeners = new Set<Listener>();

  applied(projection: string): void {
    for (const listener of this.listeners) listener(projection);
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
