import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * One run of a plan (or the undo of a run). Runs in the background; a restart resumes it after the
 * journal has been reconciled. Owned by executor.
 */
@Entity('executions')
@Index('executions_created_at_idx', ['createdAt', 'id'])
@Index('executions_status_idx', ['status'])
export class ExecutionEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'plan_id', nullable: true })
  planId: string | null;

  /** run | undo */
  @Column('text')
  kind: string;

  @Column('uuid', { name: 'undo_of', nullable: true })
  undoOf: string | null;

  @Column('text')
  mode: string;

  /** queued | running | completed | failed | cancelled */
  @Column('text')
  status: string;

  @Column('jsonb')
  options: Record<string, unknown>;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
