import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type FileFingerprintStatus = 'done' | 'failed';

/**
 * The fingerprint stage's record of one music or video file. Owned by fingerprint. One row per file, for the
 * content named by `contentHash`. Audio is indexed once per distinct content (copies with the same bytes
 * share `trackId`, the compact id of that content in `fingerprint_tracks`), so an exact copy adds nothing to
 * the index and a mix never lists the same recording twice. The posting counts are the ones read back from
 * the index after storing, never the ones the stage meant to store.
 */
@Entity('file_fingerprints')
// Mix timelines and excerpt matches name tracks; the files that hold them are found through this index.
@Index('file_fingerprints_track_id_idx', ['trackId'])
export class FileFingerprintEntity {
  @PrimaryColumn('uuid', { name: 'file_id' })
  fileId: string;

  /** The content the row describes; a reader compares it with the file's current hash. */
  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  /** FINGERPRINT_ALGORITHM_VERSION of @crateflow/fingerprint that produced the postings. */
  @Column('int', { name: 'algorithm_version' })
  algorithmVersion: number;

  /** `failed` when the audio could not be decoded or the index did not hold what was written. */
  @Column('text')
  status: FileFingerprintStatus;

  /** Why the file could not be fingerprinted, for a person. */
  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason: string | null;

  /** The indexed content's id in `fingerprint_tracks`; null for a failure. */
  @Column('int', { name: 'track_id', nullable: true })
  trackId: number | null;

  /** Decoded length of the audio. */
  @Column('double precision', { name: 'duration_sec', nullable: true })
  durationSec: number | null;

  /** Seconds that carried sound (not silence). */
  @Column('double precision', { name: 'audible_sec', nullable: true })
  audibleSec: number | null;

  /** Landmark postings read back from the index. */
  @Column('int', { name: 'landmark_postings', nullable: true })
  landmarkPostings: number | null;

  /** Triplet postings read back from the index. */
  @Column('int', { name: 'triplet_postings', nullable: true })
  tripletPostings: number | null;

  @UpdateDateColumn({ name: 'fingerprinted_at', type: 'timestamptz' })
  fingerprintedAt: Date;
}
