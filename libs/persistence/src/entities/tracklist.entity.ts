import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type TracklistSource = '1001tracklists' | 'fingerprint' | 'cue' | 'manual';

/**
 * A tracklist of a set, from one source. Owned by tracklists. `sourceKey` makes a source's tracklist unique:
 * the page id for 1001Tracklists, the mix's content hash for a fingerprint timeline, the companion's file id for
 * a cue sheet. Its tracks live in versions; `currentVersion` is the newest.
 */
@Entity('tracklists')
@Index('tracklists_source_key_idx', ['source', 'sourceKey'], { unique: true })
export class TracklistEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  source: TracklistSource;

  @Column('text', { name: 'source_key' })
  sourceKey: string;

  /** The page it was read from (1001Tracklists only). */
  @Column('text', { name: 'source_url', nullable: true })
  sourceUrl: string | null;

  @Column('text', { nullable: true })
  title: string | null;

  @Column('text', { nullable: true })
  artist: string | null;

  @Column('text', { nullable: true })
  event: string | null;

  /** `YYYY-MM-DD` or `YYYY`. */
  @Column('text', { nullable: true })
  date: string | null;

  @Column('int', { name: 'current_version' })
  currentVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
