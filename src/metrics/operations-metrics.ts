import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { OutboxRelay, OutboxRelayStats } from '#libs/outbox-relay';
import { LAG_COUNT_CAP, ProjectionLag, type ProjectionLagReport } from '../health/projection-lag.js';
import { RelayStatus } from '../health/relay-status.js';
import { MetricsRegistry } from './metrics-registry.js';

/**
 * Relay and projection figures, read when Prometheus scrapes (the lag queries are cached for a
 * second and shared with /health/ready). When a read fails the series are dropped from that
 * scrape rather than showing stale numbers.
 */
@Injectable()
export class OperationsMetrics implements OnModuleInit {
  private readonly logger = new Logger(OperationsMetrics.name);

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly projectionLag: ProjectionLag,
    private readonly relayStatus: RelayStatus,
  ) {}

  onModuleInit(): void {
    const registry = this.metrics.registry;
    this.registerProjectionMetrics(registry);
    const relay = this.relayStatus.relay;
    if (relay) this.registerRelayMetrics(registry, relay);
  }

  private registerProjectionMetrics(registry: Registry): void {
    const gauge = (name: string, help: string, value: (report: ProjectionLagReport) => number) => {
      const { projectionLag, logger } = this;
      new Gauge({
        name,
        help,
        labelNames: ['projection'] as const,
        registers: [registry],
        // Each gauge asks for itself (prom-client collects them in parallel); the cache makes it one query.
        async collect() {
          try {
            for (const report of await projectionLag.report()) this.set({ projection: report.name }, value(report));
          } catch (error) {
            this.reset();
            logger.warn({ msg: `${name} unavailable`, err: error });
          }
        },
      });
    };
    gauge(
      'newsroom_projection_lag_events',
      `Committed events a projection has neither applied nor parked (counted up to ${LAG_COUNT_CAP})`,
      (report) => report.eventsBehind,
    );
    gauge(
      'newsroom_projection_lag_seconds',
      'Age of the oldest committed event a projection has neither applied nor parked; 0 when caught up',
      (report) => report.secondsBehind,
    );
    gauge('newsroom_projection_parked_events', 'Events parked in projection_dead_letters, waiting for an operator', (report) => report.parkedEvents);
  }

  private registerRelayMetrics(registry: Registry, relay: OutboxRelay): void {
    const relayStatus = this.relayStatus;
    const logger = this.logger;
    new Gauge({
      name: 'newsroom_relay_active',
      help: '1 while this process holds the relay lock and publishes, 0 on standby',
      registers: [registry],
      collect() {
        this.set(relay.isActive ? 1 : 0);
      },
    });
    new Gauge({
      name: 'newsroom_relay_lag_events',
      help: 'Committed events no relay has published to Kafka yet',
      registers: [registry],
      async collect() {
        try {
          this.set(await relayStatus.lag());
        } catch (error) {
          this.reset();
          logger.warn({ msg: 'relay lag unavailable', err: error });
        }
      },
    });
    new Gauge({
      name: 'newsroom_relay_last_published_timestamp_seconds',
      help: 'When the broker last acknowledged a batch from this process (0: never)',
      registers: [registry],
      collect() {
        this.set((relay.lastPublishedAt?.getTime() ?? 0) / 1000);
      },
    });
    relayCounter(registry, relay, 'newsroom_relay_events_published_total', 'Events this process published (acknowledged by the broker)', 'eventsPublished');
    relayCounter(registry, relay, 'newsroom_relay_publish_failures_total', 'Failed publish attempts of this process (each is retried)', 'publishFailures');
  }
}

/** A counter that follows one of the relay's own running totals. */
function relayCounter(registry: Registry, relay: OutboxRelay, name: string, help: string, stat: keyof OutboxRelayStats): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const total = relay.stats[stat];
      if (total > seen) this.inc(total - seen);
      seen = total;
    },
  });
}
