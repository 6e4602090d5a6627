import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One version of a tracklist's tracks. Owned by tracklists. A re-read that changes anything (a track, a time,
 * a label) adds a version; `signature` (a hash of the tracks) tells whether anything changed.
 */
@Entity('tracklist_versions')
export class TracklistVersionEntity {
  @PrimaryColumn('uuid', { name: 'tracklist_id' })
  tracklistId: string;

  @PrimaryColumn('int')
  version: number;

  @Column('char', { length: 64 })
  signature: string;

  @Column('int', { name: 'track_count' })
  trackCount: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
