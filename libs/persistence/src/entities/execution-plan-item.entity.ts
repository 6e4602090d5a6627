import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One planned operation (a media file or a companion travelling with it), or a blocked item with its reason. Owned by executor. */
@Entity('execution_plan_items')
@Index('execution_plan_items_plan_idx', ['planId', 'seq'])
export class ExecutionPlanItemEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'plan_id' })
  planId: string;

  @Column('int')
  seq: number;

  /** media | companion */
  @Column('text')
  role: string;

  @Column('uuid', { name: 'file_id', nullable: true })
  fileId: string | null;

  @Column('uuid', { name: 'proposal_id', nullable: true })
  proposalId: string | null;

  @Column('uuid', { name: 'parent_item_id', nullable: true })
  parentItemId: string | null;

  @Column('text', { name: 'source_path' })
  sourcePath: string;

  @Column('bytea', { name: 'source_key' })
  sourceKey: Buffer;

  @Column('text', { name: 'destination_path', nullable: true })
  destinationPath: string | null;

  @Column('bytea', { name: 'destination_key', nullable: true })
  destinationKey: Buffer | null;

  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  size: number;

  @Column('double precision', { name: 'mtime_ms' })
  mtimeMs: number;

  @Column('text', { nullable: true })
  dev: string | null;

  @Column('text', { nullable: true })
  ino: string | null;

  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  @Column('boolean', { name: 'same_filesystem', nullable: true })
  sameFilesystem: boolean | null;

  /** ready | blocked */
  @Column('text')
  status: string;

  @Column('text', { name: 'blocked_reason', nullable: true })
  blockedReason: string | null;
}
