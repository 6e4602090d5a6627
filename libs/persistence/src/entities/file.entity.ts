import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { FileKind, FileState } from '@crateflow/contracts';

/**
 * A file found in a library root. Owned by ingest (the executor reports moves as events; ingest
 * records the new path), so the table has one writer.
 *
 * Paths: `path` is the absolute path in Unicode NFC for display, search and sorting; `pathKey` holds the
 * exact bytes of the name on disk, which is what identifies the file (two names that differ only in
 * normalisation are two files on Linux, and a name that is not valid UTF-8 must still be reachable).
 */
@Entity('files')
// (path, id, bpm, camelot) since migration 1796600003000 (the analysis read model as trailing keys: index conditions).
@Index('files_path_id_idx', { synchronize: false })
@Index('files_dir_key_idx', ['dirKey'])
// The file list filtered by state or kind, in path order (keyset pages; migration 1796410000000).
@Index('files_state_path_idx', ['state', 'path', 'id'])
@Index('files_kind_path_idx', ['kind', 'path', 'id'])
@Index('files_content_hash_idx', ['contentHash'])
// Another file with this content? A hash index answers in about 2 buffers where the B-tree takes 5: the file
// list's duplicates filter asks once per file it walks (migration 1796600001000; TypeORM cannot say USING hash).
@Index('files_content_hash_hash_idx', { synchronize: false })
@Index('files_copied_from_idx', ['copiedFromFileId'])
// Trigram index for the text filter on paths (pg_trgm); created by the migration, not by TypeORM.
@Index('files_path_trgm_idx', { synchronize: false })
// The file list's "missing" filter in path order (partial); created by migration 1795950000000.
@Index('files_missing_path_idx', { synchronize: false })
// The file list's stage filters (failed, skipped) and "problems" in path order (partial); migration 1796500000000.
@Index('files_stage_flags_path_idx', { synchronize: false })
// A rare BPM and key combination: (camelot, bpm) INCLUDE (path, id), partial; migration 1796600002000.
@Index('files_camelot_bpm_idx', { synchronize: false })
export class FileEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** The configured library root this file was found under. */
  @Column('text')
  root: string;

  @Column('text')
  path: string;

  @Column('bytea', { name: 'path_key', unique: true })
  pathKey: Buffer;

  /** True when the name on disk is valid UTF-8 (otherwise `path` shows replacement characters). */
  @Column('boolean', { name: 'path_is_utf8', default: true })
  pathIsUtf8: boolean;

  @Column('bytea', { name: 'dir_key' })
  dirKey: Buffer;

  @Column('text')
  name: string;

  @Column('text')
  ext: string;

  @Column('text')
  kind: FileKind;

  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  size: number;

  /** Modification time in milliseconds since the epoch, with the sub-millisecond fraction. */
  @Column('double precision', { name: 'mtime_ms' })
  mtimeMs: number;

  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  @Column('text', { default: 'DISCOVERED' })
  state: FileState;

  /** Set when a scan no longer finds the file; the row is kept (an unmounted drive is not a deletion). */
  @Column('timestamptz', { name: 'missing_since', nullable: true })
  missingSince: Date | null;

  /** The scan that found the file gone (counts for that scan survive a crash and resume). */
  @Column('uuid', { name: 'missing_scan_id', nullable: true })
  missingScanId: string | null;

  @Column('uuid', { name: 'first_seen_scan_id' })
  firstSeenScanId: string;

  @Column('uuid', { name: 'last_seen_scan_id' })
  lastSeenScanId: string;

  /** The scan that last found the content changed; together with firstSeenScanId it lets a resumed scan recount. */
  @Column('uuid', { name: 'changed_scan_id', nullable: true })
  changedScanId: string | null;

  /** The file's round through the chain: 1 when found, +1 each time a scan finds its content changed. */
  @Column('integer', { default: 1 })
  generation: number;

  /** The round the lifecycle has applied; a repeated `discovered`/`changed` event of that round changes nothing. */
  @Column('integer', { name: 'lifecycle_generation', default: 0 })
  lifecycleGeneration: number;

  /**
   * Set on a copy (or hard link) the executor made into the output root: the file it was copied from. The
   * copy is not analysed again (same bytes); its metadata, fingerprint and analysis are its source's.
   */
  @Column('uuid', { name: 'copied_from_file_id', nullable: true })
  copiedFromFileId: string | null;

  /**
   * Read model of the file's own stage statuses, kept by ingest in the transaction that writes them: one
   * `stage:status` entry per stage whose recorded status is failed or skipped (any content), so the file list
   * can walk only such files (files_stage_flags_path_idx) and check their statuses.
   */
  @Column('text', { name: 'stage_flags', array: true, default: () => "'{}'" })
  stageFlags: string[];

  /**
   * Read model of the analysis of the file's current content (BPM and Camelot key of the file_analysis row with
   * this content hash and status done, else null), kept by ingest from the analysis outcomes it receives; the
   * (path, id) index carries them for the file list's BPM and key filters.
   */
  @Column('numeric', { precision: 6, scale: 2, nullable: true })
  bpm: string | null;

  @Column('text', { nullable: true })
  camelot: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
