import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { streamsTableOf, type Projection } from '#libs/projections';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PROJECTIONS } from './projection-registry.js';

const POLL_MS = 20;

/** Answers "has this read model applied my write yet?" for X-Min-Position. */
@Injectable()
export class ProjectionProgress {
  private readonly byName = new Map(PROJECTIONS.map((projection) => [projection.name, projection]));

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Whether every named projection that reads the stream of the event at `position` has applied
   * it. A position that names no event has nothing to wait for.
   */
  async hasApplied(position: number, projectionNames: readonly string[]): Promise<boolean> {
    const [event] = await this.dataSource.query(
      'SELECT stream_id, stream_type, stream_version FROM events WHERE position = $1',
      [position],
    );
    if (!event) return true;
    for (const projection of this.projections(projectionNames)) {
      if (!projection.streamTypes.includes(event.stream_type)) continue;
      const [applied] = await this.dataSource.query(`SELECT version FROM ${streamsTableOf(projection)} WHERE stream_id = $1`, [
        event.stream_id,
      ]);
      if (!applied || applied.version < event.stream_version) return false;
    }
    return true;
  }

  /** Polls until applied or READ_WAIT_TIMEOUT_MS passes; true when the position was reached. */
  async waitFor(position: number, projectionNames: readonly string[]): Promise<boolean> {
    const deadline = Date.now() + this.config.readWaitTimeoutMs;
    for (;;) {
      if (await this.hasApplied(position, projectionNames)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private projections(names: readonly string[]): Projection[] {
    return names.map((name) => {
      const projection = this.byName.get(name);
      if (!projection) throw new Error(`unknown projection ${name}`);
      return projection;
    });
  }
}
