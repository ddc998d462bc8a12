import { Query } from '@nestjs/cqrs';
import type { Page } from '#libs/read-models';
import type { QueuedClaim } from './queued-claim.view.js';

/** Claims without a verdict, oldest first. */
export class GetFactCheckQueueQuery extends Query<Page<QueuedClaim>> {
  constructor(
    readonly limit: number | undefined,
    readonly cursor: string | undefined,
  ) {
    super();
  }
}
