import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { ReactionEvent } from '#libs/contracts';
import type { DomainEvent } from '#libs/event-store';
import { MetricsRegistry } from './metrics-registry.js';

const REACTION_CHANGES: Record<ReactionEvent['type'], string> = {
  ReactionAdded: 'added',
  ReactionChanged: 'changed',
  ReactionRemoved: 'removed',
};

/**
 * Counts what this process appends to the store; the stream classes call it after a successful
 * append (two counter increments, no I/O).
 */
@Injectable()
export class EventMetrics {
  private readonly appended: Counter<'stream_type' | 'event_type'>;
  private readonly reactions: Counter<'kind' | 'change'>;

  constructor({ registry }: MetricsRegistry) {
    this.appended = new Counter({
      name: 'newsroom_events_appended_total',
      help: 'Events appended to the event store by this process, by stream type and event type',
      labelNames: ['stream_type', 'event_type'] as const,
      registers: [registry],
    });
    this.reactions = new Counter({
      name: 'newsroom_reactions_total',
      help: 'Reader reactions by kind and change (added, changed: kind is the new one, removed: kind is the one removed)',
      labelNames: ['kind', 'change'] as const,
      registers: [registry],
    });
  }

  recordAppended(streamType: string, events: readonly DomainEvent[]): void {
    for (const event of events) {
      this.appended.inc({ stream_type: streamType, event_type: event.type });
      const change = Object.hasOwn(REACTION_CHANGES, event.type) ? REACTION_CHANGES[event.type as ReactionEvent['type']] : undefined;
      if (change) {
        const data = event.data as Partial<{ kind: string; previousKind: string }>;
        this.reactions.inc({ kind: data.kind ?? data.previousKind ?? 'unknown', change });
      }
    }
  }
}
