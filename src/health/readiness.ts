import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { KafkaProbe } from './kafka-probe.js';
import { ProjectionLag } from './projection-lag.js';
import { RelayStatus } from './relay-status.js';
import { withTimeout } from './short-cache.js';

export interface ReadinessAnswer {
  httpStatus: 200 | 503;
  /** Terminus's shape: `status` (ok, degraded, error, shutting_down), `info`, `error`, `details`. */
  result: HealthCheckResult;
}

/**
 * Whether this process should get traffic (`GET /health/ready`):
 *
 * - database: `SELECT 1` answers within READY_CHECK_TIMEOUT_MS;
 * - kafka (when configured): the cluster answers a metadata request; reused for READY_KAFKA_CACHE_MS;
 * - relay (worker processes with Kafka): at most READY_MAX_RELAY_LAG_EVENTS committed events wait
 *   to be published;
 * - projections: none is stale. Stale means it has not applied (nor parked) an event that was
 *   committed more than READY_MAX_PROJECTION_LAG_SECONDS ago; a projection with nothing left to
 *   apply is never stale, however long ago it last applied something.
 *
 * Parked events are reported and make the answer `degraded` (still 200) unless
 * READY_FAIL_ON_PARKED_EVENTS: each blocks one article in one read model, and taking instances
 * out of rotation cannot fix it (an operator fixes the cause and rebuilds), so it is a matter for
 * an alert on `newsroom_projection_parked_events`, not for the load balancer.
 */
@Injectable()
export class Readiness {
  private readonly logger = new Logger('Readiness');
  private lastStatus?: HealthCheckResult['status'];

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly kafka: KafkaProbe,
    private readonly relay: RelayStatus,
    private readonly projections: ProjectionLag,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(): Promise<ReadinessAnswer> {
    const answer = await this.run();
    // Log changes only: probes every few seconds would otherwise log the same failure forever.
    if (answer.result.status !== this.lastStatus) {
      const level = answer.httpStatus === 200 ? 'log' : 'warn';
      this.logger[level]({ msg: `readiness ${answer.result.status}`, error: answer.result.error });
      this.lastStatus = answer.result.status;
    }
    return answer;
  }

  private async run(): Promise<ReadinessAnswer> {
    const timeoutMs = this.config.operations.readyCheckTimeoutMs;
    const checks: HealthIndicatorFunction[] = [
      () => this.indicators.check('database').attempt(() => this.dataSource.query('SELECT 1').then(() => undefined)).withTimeout(timeoutMs),
      () => this.projectionsCheck(),
    ];
    if (this.kafka.configured) {
      checks.push(() =>
        this.indicators
          .check('kafka')
          .attempt(() => this.kafka.probe().then((result) => ({ ...result })))
          .withTimeout(timeoutMs)
          .cacheFor(this.config.operations.kafkaCheckCacheMs),
      );
    }
    if (this.relay.relay) checks.push(() => this.relayCheck());
    try {
      return { httpStatus: 200, result: await this.health.check(checks) };
    } catch (error) {
      // Terminus throws its result (not ready, or shutting down) inside a 503.
      if (error instanceof ServiceUnavailableException) {
        return { httpStatus: 503, result: error.getResponse() as HealthCheckResult };
      }
      throw error;
    }
  }

  private async projectionsCheck(): Promise<HealthIndicatorResult<'projections'>> {
    const session = this.indicators.check('projections');
    const { maxProjectionLagSeconds, failOnParkedEvents, readyCheckTimeoutMs } = this.config.operations;
    let reports;
    try {
      reports = await withTimeout(this.projections.report(), readyCheckTimeoutMs, 'measuring projection lag');
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
    const projections = Object.fromEntries(
      reports.map(({ name, eventsBehind, secondsBehind, parkedEvents, rebuilding }) => [
        name,
        {
          eventsBehind,
          secondsBehind: Math.round(secondsBehind * 10) / 10,
          parkedEvents,
          rebuilding,
          stale: maxProjectionLagSeconds > 0 && secondsBehind > maxProjectionLagSeconds,
        },
      ]),
    );
    const stale = reports.filter((report) => projections[report.name].stale).map((report) => report.name);
    const parked = reports.filter((report) => report.parkedEvents > 0).map((report) => report.name);
    const data = { maxLagSeconds: maxProjectionLagSeconds, stale, parked, projections };
    if (stale.length > 0 || (failOnParkedEvents && parked.length > 0)) return session.down(data);
    if (parked.length > 0) return session.degraded(data);
    return session.up(data);
  }

  private async relayCheck(): Promise<HealthIndicatorResult<'relay'>> {
    const session = this.indicators.check('relay');
    const relay = this.relay.relay!;
    const { maxRelayLagEvents, readyCheckTimeoutMs } = this.config.operations;
    let lagEvents: number;
    try {
      lagEvents = await withTimeout(this.relay.lag(), readyCheckTimeoutMs, 'counting the relay lag');
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
    const data = {
      // Standby: another worker holds the lock and publishes; the lag is the same for all.
      active: relay.isActive,
      lagEvents,
      maxLagEvents: maxRelayLagEvents,
      lastPublishedAt: relay.lastPublishedAt?.toISOString() ?? null,
    };
    return maxRelayLagEvents > 0 && lagEvents > maxRelayLagEvents ? session.down(data) : session.up(data);
  }
}
