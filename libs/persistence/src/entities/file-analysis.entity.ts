import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type FileAnalysisStatus = 'done' | 'failed';

const numeric = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/**
 * What the analysis stage measured in one music or video file (tempo, key, loudness, energy, ...). Owned
 * by analysis. One row per file, for the content named by `contentHash` and the analysis code named by
 * `analysisVersion`; the whole result is the `result` document, and the values the file list filters on
 * (BPM range, Camelot key) are columns with their own indexes.
 */
@Entity('file_analysis')
@Index('file_analysis_bpm_idx', ['bpm'])
@Index('file_analysis_camelot_idx', ['camelot'])
// The file list's BPM order (partial, keyset on bpm and file id); created by migration 1795950000000.
@Index('file_analysis_bpm_sort_idx', { synchronize: false })
export class FileAnalysisEntity {
  @PrimaryColumn('uuid', { name: 'file_id' })
  fileId: string;

  /** The content the row describes; a reader compares it with the file's current hash. */
  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  /** ANALYSIS_VERSION of @crateflow/analysis that produced the row; older rows can be recomputed. */
  @Column('int', { name: 'analysis_version' })
  analysisVersion: number;

  /** `failed` when the file could not be analysed (then only the failure reason is set). */
  @Column('text')
  status: FileAnalysisStatus;

  /** Why the file could not be analysed, for a person. */
  @Column('text', { name: 'failure_reason', nullable: true })
  failureReason: string | null;

  /** Measured tempo; null when not measurable. */
  @Column('numeric', { precision: 6, scale: 2, nullable: true, transformer: numeric })
  bpm: number | null;

  /** Measured key on the Camelot wheel (`8A`); null when not measurable. */
  @Column('text', { nullable: true })
  camelot: string | null;

  /** Measured key in standard notation (`A minor`). */
  @Column('text', { nullable: true })
  key: string | null;

  /** EBU R128 integrated loudness. */
  @Column('double precision', { nullable: true })
  lufs: number | null;

  /** Energy rating 1–10. */
  @Column('smallint', { nullable: true })
  energy: number | null;

  /** The file's BPM or key tag disagrees with the measurement (octave differences do not count). */
  @Column('boolean', { name: 'tags_disagree', default: false })
  tagsDisagree: boolean;

  /** The whole AnalysisResult (plain JSON); null for a failure. */
  @Column('jsonb', { nullable: true })
  result: unknown;

  @UpdateDateColumn({ name: 'analysed_at', type: 'timestamptz' })
  analysedAt: Date;
}
