import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { RecordedSource } from './recorded-source.embedded';

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

  /** The source as recorded when planned: source_path, source_key, size, mtime_ms, dev, ino, content_hash. */
  @Column(() => RecordedSource, { prefix: false })
  source: RecordedSource;

  @Column('text', { name: 'destination_path', nullable: true })
  destinationPath: string | null;

  @Column('bytea', { name: 'destination_key', nullable: true })
  destinationKey: Buffer | null;

  @Column('boolean', { name: 'same_filesystem', nullable: true })
  sameFilesystem: boolean | null;

  /** ready | blocked */
  @Column('text')
  status: string;

  @Column('text', { name: 'blocked_reason', nullable: true })
  blockedReason: string | null;
}
