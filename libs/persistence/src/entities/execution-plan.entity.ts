import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type ExecutionMode = 'move' | 'copy' | 'hardlink';

/**
 * A dry run of approved proposals: every operation with its final path, what is blocked and why, and the
 * totals. Executing runs exactly this plan. Owned by executor.
 */
@Entity('execution_plans')
@Index('execution_plans_created_at_idx', ['createdAt', 'id'])
export class ExecutionPlanEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  mode: ExecutionMode;

  /** ready | executed | stale */
  @Column('text')
  status: string;

  /** removeEmptyFolders, outputRoot, the selection it was made from. */
  @Column('jsonb')
  options: Record<string, unknown>;

  /** files, bytes, blocked, same-filesystem and cross-filesystem counts. */
  @Column('jsonb')
  totals: Record<string, number>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
