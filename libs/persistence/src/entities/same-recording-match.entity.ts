import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Two contents that are the same recording (another encoding of it: FLAC and MP3, AAC and Ogg, ...), as
 * the fingerprint stage found them when it indexed `contentHash`. Owned by fingerprint. Stored once, from
 * the side indexed later; readers join the pairs into groups. Files come and go; readers join `files` to
 * see which copies of each content are present.
 */
@Entity('same_recording_matches')
@Index('same_recording_matches_other_content_hash_idx', ['otherContentHash'])
export class SameRecordingMatchEntity {
  @PrimaryColumn('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  @PrimaryColumn('char', { name: 'other_content_hash', length: 64 })
  otherContentHash: string;

  /** Their ids in `fingerprint_tracks`; the smallest id of a group names it (ids only grow, so it is stable). */
  @Column('int', { name: 'track_id' })
  trackId: number;

  @Column('int', { name: 'other_track_id' })
  otherTrackId: number;

  /** Share of this content's length that matched the other, 0 … 1. */
  @Column('double precision')
  coverage: number;

  /** Share of the other content's length that was matched, 0 … 1. */
  @Column('double precision', { name: 'other_coverage' })
  otherCoverage: number;

  /** Where this content starts in the other, seconds (a leading silence trimmed by one encoder shows here). */
  @Column('double precision', { name: 'offset_sec' })
  offsetSec: number;

  /** Agreeing hashes. */
  @Column('int')
  score: number;

  @Column('int', { name: 'algorithm_version' })
  algorithmVersion: number;

  @UpdateDateColumn({ name: 'found_at', type: 'timestamptz' })
  foundAt: Date;
}
