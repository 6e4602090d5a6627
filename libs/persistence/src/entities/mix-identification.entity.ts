import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type MixIdentificationStatus = 'running' | 'done' | 'failed';

/** One identified library track in a mix, as stored (the track's content, not a file: copies come and go). */
export interface StoredTimelineEntry {
  trackId: number;
  contentHash: string;
  startSec: number;
  endSec: number;
  /** Position in the track at startSec, seconds. */
  refStartSec: number;
  /** Track seconds per mix second (1.05: played 5 % fast). */
  speed: number;
  /** `vinyl` (tempo and pitch together), `stretch` (key-locked), `key` (pitch only) or `exact`. */
  mode: string;
  /** Mode `key`: semitones the pitch was shifted by, tempo unchanged (absent in older rows: 0). */
  keySemitones?: number;
  confidence: number;
  score: number;
  /**
   * Present when the track was heard through a library recording that is itself an identified mix (a
   * recorded set holding it): that recording and its position at startSec.
   */
  via?: { trackId: number; contentHash: string; refStartSec: number };
}

/**
 * A job that identified the library tracks inside a mix, with its timeline. Owned by fingerprint (the gateway
 * asks for one over the bus and reads the result). Kept per job, so an earlier result stays readable while a
 * new identification runs; readers show the newest finished one.
 */
@Entity('mix_identifications')
@Index('mix_identifications_file_id_idx', ['fileId', 'requestedAt'])
export class MixIdentificationEntity {
  /** The job id the request carried. */
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'file_id' })
  fileId: string;

  /** The mix's content when the job read it. */
  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  @Column('text')
  status: MixIdentificationStatus;

  @Column('int', { name: 'algorithm_version' })
  algorithmVersion: number;

  /** Seconds of the mix read so far. */
  @Column('double precision', { name: 'processed_sec', default: 0 })
  processedSec: number;

  /** The mix's decoded length (set when done). */
  @Column('double precision', { name: 'duration_sec', nullable: true })
  durationSec: number | null;

  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason: string | null;

  /** The timeline: identified tracks in order of their start. */
  @Column('jsonb', { nullable: true })
  entries: StoredTimelineEntry[] | null;

  /** Stretches where no library track was identified: [{ startSec, endSec }]. */
  @Column('jsonb', { nullable: true })
  unknown: { startSec: number; endSec: number }[] | null;

  @Column('timestamptz', { name: 'requested_at' })
  requestedAt: Date;

  @Column('timestamptz', { name: 'started_at' })
  startedAt: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;
}
