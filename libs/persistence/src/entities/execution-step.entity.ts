import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The audit trail: every journal step of every operation, in order, with its time, hashes and errors. Owned by executor. */
@Entity('execution_steps')
@Index('execution_steps_execution_idx', ['executionId', 'id'])
@Index('execution_steps_operation_idx', ['operationId', 'id'])
// The audit filtered by status, newest first (failed steps are rare; migration 1796400000000).
@Index('execution_steps_status_idx', ['status', 'id'])
export class ExecutionStepEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('uuid', { name: 'execution_id' })
  executionId: string;

  @Column('uuid', { name: 'operation_id' })
  operationId: string;

  @Column('text')
  phase: string;

  /** running | done | failed | rolled-back | reconciled */
  @Column('text')
  status: string;

  @Column('text', { name: 'source_path' })
  sourcePath: string;

  @Column('text', { name: 'destination_path' })
  destinationPath: string;

  @Column('jsonb', { nullable: true })
  detail: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'at', type: 'timestamptz' })
  at: Date;
}
