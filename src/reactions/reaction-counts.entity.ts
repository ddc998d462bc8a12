import { Column, Entity, PrimaryColumn } from 'typeorm';
import { REACTION_COUNTS_TABLE } from './reaction-counts.projection.js';

/** The reaction-counts projection's live table, for reads; no row means nobody has reacted. */
@Entity({ name: REACTION_COUNTS_TABLE })
export class ReactionCountsEntity {
  @PrimaryColumn('uuid', { name: 'article_id' })
  articleId!: string;

  @Column('integer')
  like!: number;

  @Column('integer')
  dislike!: number;

  @Column('integer')
  love!: number;

  @Column('integer')
  funny!: number;

  @Column('integer')
  angry!: number;

  @Column('integer')
  sad!: number;

  @Column('integer')
  wow!: number;
}
