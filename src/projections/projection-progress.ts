import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore, type RecordedEvent } from '#libs/event-store';
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
    private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Polls until every named projection that reads the stream of the event at `position` has
   * applied it, or READ_WAIT_TIMEOUT_MS passes; true when reached. A position past the end of the
   * log is waited for like any other; one below it that names no event (an append rolled back)
   * has nothing to wait for.
   */
  async waitFor(position: number, projectionNames: readonly string[]): Promise<boolean> {
    const deadline = Date.now() + this.config.readWaitTimeoutMs;
    const pause = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));
    // Found once: an event never changes, only the read models catch up with it.
    let event = await this.store.readEventAt(position);
    while (event === null) {
      if (position <= (await this.store.readLastPosition())) return true;
      if (Date.now() >= deadline) return false;
      await pause();
      event = await this.store.readEventAt(position);
    }
    for (;;) {
      if (await this.applied(event, projectionNames)) return true;
      if (Date.now() >= deadline) return false;
      await pause();
    }
  }

  private async applied(event: RecordedEvent, projectionNames: readonly string[]): Promise<boolean> {
    for (const projection of this.projections(projectionNames)) {
      if (!projection.streamTypes.includes(event.streamType)) continue;
      const [applied] = await this.dataSource.query(`SELECT version FROM ${streamsTableOf(projection)} WHERE stream_id = $1`, [
        event.streamId,
      ]);
      if (!applied || applied.version < event.streamVersion) return false;
    }
    return true;
  }

  private projections(names: readonly string[]): Projection[] {
    return names.map((name) => {
      const projection = this.byName.get(name);
      if (!projection) throw new Error(`unknown projection ${name}`);
      return projection;
    });
  }
}
