import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { decodeCursor, DEFAULT_PAGE_SIZE, toPage, type Page } from '#libs/read-models';
import { FactCheckQueueArticleEntity, FactCheckQueueClaimEntity } from '../../fact-check-queue.entity.js';
import { GetFactCheckQueueQuery } from './get-fact-check-queue.query.js';
import { toQueuedClaim, type QueuedClaim } from './queued-claim.view.js';

@QueryHandler(GetFactCheckQueueQuery)
export class GetFactCheckQueueHandler implements IQueryHandler<GetFactCheckQueueQuery> {
  constructor(@InjectRepository(FactCheckQueueClaimEntity) private readonly claims: Repository<FactCheckQueueClaimEntity>) {}

  async execute({ limit = DEFAULT_PAGE_SIZE, cursor }: GetFactCheckQueueQuery): Promise<Page<QueuedClaim>> {
    const query = this.claims
      .createQueryBuilder('claim')
      .innerJoinAndMapOne('claim.article', FactCheckQueueArticleEntity, 'article', 'article.articleId = claim.articleId')
      .orderBy('claim.addedAt', 'ASC')
      .addOrderBy('claim.articleId', 'ASC')
      .addOrderBy('claim.claimId', 'ASC')
      .limit(limit + 1);
    if (cursor !== undefined) {
      const [addedAt, articleId, claimId] = decodeCursor(cursor, ['timestamp', 'uuid', 'uuid']);
      query.where(
        '(claim.addedAt, claim.articleId, claim.claimId) > (CAST(:addedAt AS timestamptz), CAST(:articleId AS uuid), CAST(:claimId AS uuid))',
        { addedAt, articleId, claimId },
      );
    }
    const rows = await query.getMany();
    return toPage(rows, limit, (claim) => [claim.addedAt.toISOString(), claim.articleId, claim.claimId], toQueuedClaim);
  }
}
