import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { OutboxRelay } from '#libs/outbox-relay';
import { RelayWorker } from '../relay/relay-worker.js';
import { shortCache } from './short-cache.js';

/** Health probes and metric scrapes within this window share one count. */
const CACHE_MS = 1000;

/**
 * The relay of this process, where there is one: only worker processes run it, and only with
 * Kafka configured. Looked up rather than injected so that API-only processes need no workers.
 */
@Injectable()
export class RelayStatus {
  private resolved?: OutboxRelay | null;
  /** Committed events no relay has published yet (from the shared checkpoint, so standbys see it too). */
  readonly lag: () => Promise<number> = shortCache(CACHE_MS, () => this.relay!.lag());

  constructor(private readonly moduleRef: ModuleRef) {}

  get relay(): OutboxRelay | null {
    if (this.resolved === undefined) {
      try {
        this.resolved = this.moduleRef.get(RelayWorker, { strict: false }).relay;
      } catch {
        this.resolved = null;
      }
    }
    return this.resolved;
  }
}
