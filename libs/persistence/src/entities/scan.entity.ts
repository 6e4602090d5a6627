import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ScanCounts } from '@crateflow/contracts';

export type ScanStatus = 'queued' | 'running' | 'completed' | 'failed';

/** One scan of a folder inside a library root. Owned by ingest. */
@Entity('scans')
@Index('scans_created_at_idx', ['createdAt'])
export class ScanEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  root: string;

  @Column('text')
  path: string;

  @Column('text')
  status: ScanStatus;

  @Column('jsonb')
  counts: ScanCounts;

  @Column('text', { nullable: true })
  error: string | null;

  /** How many times ingest has started this scan (a crash and redelivery resumes it). */
  @Column('int', { default: 0 })
  attempts: number;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
