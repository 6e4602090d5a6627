import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One track of one tracklist version. Owned by tracklists. An unknown stretch or an "ID" is `unknown`. */
@Entity('tracklist_tracks')
@Index('tracklist_tracks_version_idx', ['tracklistId', 'version', 'position'])
export class TracklistTrackEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'tracklist_id' })
  tracklistId: string;

  @Column('int')
  version: number;

  /** 1-based; tracks played together (w/) share a position. */
  @Column('int')
  position: number;

  @Column('text', { nullable: true })
  artist: string | null;

  @Column('text', { nullable: true })
  title: string | null;

  @Column('text', { nullable: true })
  remix: string | null;

  @Column('text', { nullable: true })
  label: string | null;

  /** Start in the mix, seconds; null when the source gives none. */
  @Column('double precision', { name: 'cue_sec', nullable: true })
  cueSec: number | null;

  @Column('double precision', { name: 'end_sec', nullable: true })
  endSec: number | null;

  /** Track seconds per mix second (fingerprint tracklists). */
  @Column('double precision', { nullable: true })
  speed: number | null;

  /** 0–1; null when the source gives none (a scraped page, a cue sheet). */
  @Column('double precision', { nullable: true })
  confidence: number | null;

  @Column('boolean', { default: false })
  unknown: boolean;

  /** The library recording a fingerprint identified (its content hash). */
  @Column('char', { name: 'recording_hash', length: 64, nullable: true })
  recordingHash: string | null;
}
