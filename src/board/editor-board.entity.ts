import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ArticleStatus, Person, VerdictRating } from '#libs/contracts';
import { EDITOR_BOARD_TABLE, type BoardAssignee } from './editor-board.projection.js';

/** The editor board's live table, for reads. The editor-board projection writes it. */
@Entity({ name: EDITOR_BOARD_TABLE })
export class EditorBoardEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('integer')
  version!: number;

  @Column('text')
  status!: ArticleStatus;

  @Column('text')
  headline!: string;

  @Column('text')
  section!: string;

  @Column('text', { array: true })
  tags!: string[];

  @Column('jsonb')
  authors!: Person[];

  @Column('jsonb')
  assignees!: BoardAssignee[];

  @Column('jsonb', { name: 'claim_ratings' })
  claimRatings!: Record<string, VerdictRating | null>;

  @Column('integer', { name: 'claims_total' })
  claimsTotal!: number;

  @Column('integer', { name: 'claims_pending' })
  claimsPending!: number;

  @Column('integer', { name: 'claims_flagged' })
  claimsFlagged!: number;

  @Column('timestamptz', { name: 'publish_at', nullable: true })
  publishAt!: Date | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
