import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Person } from '#libs/contracts';
import { PUBLIC_FEED_TABLE, type PublicClaim, type PublicCorrection, type PublicFeedRow } from './public-feed.projection.js';

/** The public feed's live table, for reads. The public-feed projection writes it. */
@Entity({ name: PUBLIC_FEED_TABLE })
export class PublicFeedEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('integer')
  version!: number;

  @Column('text', { nullable: true })
  slug!: string | null;

  @Column('text')
  headline!: string;

  @Column('text', { nullable: true })
  standfirst!: string | null;

  @Column('text')
  body!: string;

  @Column('text')
  section!: string;

  @Column('text', { array: true })
  tags!: string[];

  @Column('jsonb')
  authors!: Person[];

  @Column('jsonb')
  claims!: PublicClaim[];

  @Column('jsonb')
  corrections!: PublicCorrection[];

  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at', nullable: true })
  updatedAt!: Date | null;

  @Column('jsonb', { nullable: true })
  retraction!: PublicFeedRow['retraction'];

  /** The story's place in the feed, in the order stories entered it (a bigint, as text); null until published. */
  @Column('bigint', { nullable: true })
  listed!: string | null;
}
