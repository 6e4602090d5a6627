import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { PipelineStage, StageStatus } from '@crateflow/contracts';

/**
 * How each pipeline stage went for each file. Written by ingest's lifecycle tracker from the stages'
 * events, so stages stay free to be scaled and restarted and the table keeps one writer.
 */
@Entity('file_stage_statuses')
@Index('file_stage_statuses_stage_status_idx', ['stage', 'status'])
export class FileStageStatusEntity {
  @PrimaryColumn('uuid', { name: 'file_id' })
  fileId: string;

  @PrimaryColumn('text')
  stage: PipelineStage;

  @Column('text')
  status: StageStatus;

  /** The content the status is about; an event for older content is stale and ignored. */
  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  @Column('text', { nullable: true })
  reason: string | null;

  /** The file's round (see files.generation) the status is about. */
  @Column('integer', { default: 0 })
  generation: number;

  @Column('int', { default: 0 })
  attempts: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
