import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { RecordedSource } from './recorded-source.embedded';

/**
 * The write-ahead journal: one row per file operation of an execution, its phase recorded before the
 * phase's filesystem change happens. Reconciliation at start-up reads the phase and the disk to finish
 * or roll back each unfinished operation. Owned by executor.
 */
@Entity('execution_operations')
@Index('execution_operations_execution_idx', ['executionId', 'seq'])
@Index('execution_operations_unfinished_idx', ['status'], { where: `status IN ('pending', 'running')` })
@Index('execution_operations_file_idx', ['fileId'])
@Index('execution_operations_unannounced_idx', ['executionId'], {
  where: `status = 'done' AND announced_at IS NULL`,
})
export class ExecutionOperationEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'execution_id' })
  executionId: string;

  @Column('int')
  seq: number;

  /** move | copy | hardlink | unpublish (undo of a copy or hard link) */
  @Column('text')
  kind: string;

  /** media | companion */
  @Column('text')
  role: string;

  @Column('uuid', { name: 'file_id', nullable: true })
  fileId: string | null;

  @Column('uuid', { name: 'plan_item_id', nullable: true })
  planItemId: string | null;

  @Column('uuid', { name: 'parent_operation_id', nullable: true })
  parentOperationId: string | null;

  @Column('uuid', { name: 'undo_of_operation_id', nullable: true })
  undoOfOperationId: string | null;

  /** The source as recorded when planned: source_path, source_key, size, mtime_ms, dev, ino, content_hash. */
  @Column(() => RecordedSource, { prefix: false })
  source: RecordedSource;

  @Column('text', { name: 'destination_path' })
  destinationPath: string;

  @Column('bytea', { name: 'destination_key' })
  destinationKey: Buffer;

  @Column('bytea', { name: 'temp_key', nullable: true })
  tempKey: Buffer | null;

  @Column('text', { name: 'temp_ino', nullable: true })
  tempIno: string | null;

  /** link | placeholder | copy | case-rename: how the destination is claimed, decided when the operation runs. */
  @Column('text', { nullable: true })
  method: string | null;

  /** Folders created for the destination (removed again, when empty, on roll-back or undo). */
  @Column('bytea', { name: 'created_dirs', array: true, default: () => `'{}'` })
  createdDirs: Buffer[];

  /** pending, claiming, placing, renaming, case-renaming, copying, verifying, publishing, published, releasing, rolling-back, unpublishing, done, failed */
  @Column('text')
  phase: string;

  /** pending | running | done | failed | skipped */
  @Column('text')
  status: string;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('text', { name: 'error_code', nullable: true })
  errorCode: string | null;

  /** The destination as it ended: dev, ino, size, mtimeMs (what ingest records as the file's new place). */
  @Column('jsonb', { nullable: true })
  result: Record<string, unknown> | null;

  @Column('bigint', { default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  attempts: number;

  /** When the file.moved event (or its copy counterpart) was published; null while still owed. */
  @Column('timestamptz', { name: 'announced_at', nullable: true })
  announcedAt: Date | null;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
