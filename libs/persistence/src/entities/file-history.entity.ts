import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What happened to a file, in order: lifecycle transitions, stage outcomes, missing/changed. Owned by ingest. */
@Entity('file_history')
@Index('file_history_file_id_idx', ['fileId', 'id'])
export class FileHistoryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('uuid', { name: 'file_id' })
  fileId: string;

  @Column('text')
  event: string;

  @Column('text', { name: 'from_state', nullable: true })
  fromState: string | null;

  @Column('text', { name: 'to_state', nullable: true })
  toState: string | null;

  @Column('jsonb', { nullable: true })
  detail: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'at', type: 'timestamptz' })
  at: Date;
}
