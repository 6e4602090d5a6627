import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Progress of one generation request (`proposal.generation.requested`). Owned by the proposer; the row
 * appears when the proposer picks the request up (until then the gateway reports it as queued).
 */
@Entity('proposal_generations')
export class ProposalGenerationEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** running, completed, failed. */
  @Column('text')
  status: string;

  /** Number of files named in the request; null for "every eligible file". */
  @Column('int', { name: 'requested_files', nullable: true })
  requestedFiles: number | null;

  /** eligible, generated, unchanged, skipped, failed. */
  @Column('jsonb')
  counts: Record<string, number>;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('timestamptz', { name: 'started_at' })
  startedAt: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
