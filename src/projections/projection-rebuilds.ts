import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore } from '#libs/event-store';
import {
  ProjectionRebuilder,
  rebuildRunningSql,
  RebuildAbortedError,
  RebuildInProgressError,
  type Projection,
  type RebuildResult,
} from '#libs/projections';
import { ProblemError } from '#libs/http';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PROJECTIONS } from './projection-registry.js';

export interface ProjectionStatus {
  name: string;
  eventsApplied: number;
  lastEventAt: string | null;
  updatedAt: string | null;
  rebuiltAt: string | null;
  rebuilding: boolean;
  parkedEvents: number;
}

/** Rebuilds projections on request (admin endpoint and CLI) and reports how each one stands. */
@Injectable()
export class ProjectionRebuilds implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionRebuilds.name);
  private readonly rebuilder: ProjectionRebuilder;
  private readonly shutdown = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly dataSource: DataSource,
    store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.rebuilder = new ProjectionRebuilder(dataSource, store, { batchSize: 5000 });
  }

  /** On the embedded database this process is the only one: a rebuild claim left by a crash goes at once. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.embedded) return;
    const released = await this.rebuilder.releaseAbandonedClaims();
    if (released.length > 0) this.logger.warn({ msg: 'released the rebuild claims a crashed process left', projections: released });
  }

  find(name: string): Projection {
    const projection = PROJECTIONS.find((candidate) => candidate.name === name);
    if (!projection) {
      throw new ProblemError(404, 'unknown-projection', 'Not found', `No projection is called ${name}; known: ${PROJECTIONS.map((p) => p.name).join(', ')}.`);
    }
    return projection;
  }

  /**
   * Starts a rebuild; resolves once it has claimed the projection (409 if another rebuild of it
   * runs), with `done` settling when the new tables are swapped in (503 if shutdown stops it).
   */
  async start(name: string): Promise<{ done: Promise<RebuildResult> }> {
    const projection = this.find(name);
    let claimed!: () => void;
    const onClaimed = new Promise<void>((resolve) => (claimed = resolve));
    const done = this.rebuilder.rebuild(projection, { onClaimed: claimed, signal: this.shutdown.signal }).then(
      (result) => {
        this.logger.log({ msg: 'projection rebuilt', ...result });
        return result;
      },
      (error: unknown) => {
        throw asProblem(error);
      },
    );
    const settled = done.catch(() => undefined).finally(() => this.running.delete(settled));
    this.running.add(settled);
    await Promise.race([onClaimed, done]);
    this.logger.log({ msg: 'rebuilding projection', projection: name });
    return { done };
  }

  async rebuild(name: string): Promise<RebuildResult> {
    return (await this.start(name)).done;
  }

  /**
   * Stops a running rebuild at its next batch and waits until it has dropped its fresh tables and
   * released its claim. Before, not on, application shutdown: this runs before the HTTP server
   * closes (which waits for a `?wait=true` request) and before any module's onApplicationShutdown,
   * where TypeORM closes the DataSource (both modules are global, so their order is not given).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await Promise.all(this.running);
  }

  async statuses(): Promise<ProjectionStatus[]> {
    const rows: any[] = await this.dataSource.query(
      // A claim its rebuild stopped refreshing (it died with the database or its process) is no rebuild running.
      `SELECT c.projection, c.events_applied, c.last_event_at, c.updated_at, c.rebuilt_at,
              ${rebuildRunningSql('c')} AS rebuilding,
              (SELECT count(*)::int FROM projection_dead_letters d WHERE d.projection = c.projection) AS parked
         FROM projection_checkpoints c`,
    );
    const byName = new Map(rows.map((row) => [row.projection, row]));
    return PROJECTIONS.map(({ name }) => {
      const row = byName.get(name);
      return {
        name,
        eventsApplied: Number(row?.events_applied ?? 0),
        lastEventAt: row?.last_event_at?.toISOString() ?? null,
        updatedAt: row?.updated_at?.toISOString() ?? null,
        rebuiltAt: row?.rebuilt_at?.toISOString() ?? null,
        rebuilding: row?.rebuilding === true,
        parkedEvents: row?.parked ?? 0,
      };
    });
  }
}

function asProblem(error: unknown): unknown {
  if (error instanceof RebuildInProgressError) return new ProblemError(409, 'rebuild-in-progress', 'Conflict', error.message);
  if (error instanceof RebuildAbortedError) return new ProblemError(503, 'shutting-down', 'Service unavailable', `${error.message}: the service is shutting down`);
  return error;
}
