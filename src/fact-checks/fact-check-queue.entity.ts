import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ArticleStatus, Person } from '#libs/contracts';
import { QUEUE_ARTICLES_TABLE, QUEUE_CLAIMS_TABLE } from './fact-check-queue.projection.js';

/** The queue's article details, for reads. The fact-check-queue projection writes it. */
@Entity({ name: QUEUE_ARTICLES_TABLE })
export class FactCheckQueueArticleEntity {
  @PrimaryColumn('uuid', { name: 'article_id' })
  articleId!: string;

  @Column('integer')
  version!: number;

  @Column('text')
  headline!: string;

  @Column('text')
  status!: ArticleStatus;
}

/** A claim waiting for a verdict, for reads. The fact-check-queue projection writes it. */
@Entity({ name: QUEUE_CLAIMS_TABLE })
export class FactCheckQueueClaimEntity {
  @PrimaryColumn('uuid', { name: 'article_id' })
  articleId!: string;

  @PrimaryColumn('uuid', { name: 'claim_id' })
  claimId!: string;

  @Column('text')
  text!: string;

  @Column('text', { nullable: true })
  quote!: string | null;

  @Column('timestamptz', { name: 'added_at' })
  addedAt!: Date;

  @Column('jsonb', { name: 'added_by' })
  addedBy!: Person;

  /** Not a column: the queue query's inner join maps the claim's article here. */
  article!: FactCheckQueueArticleEntity;
}
