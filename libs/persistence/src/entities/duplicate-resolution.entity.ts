import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A person's decision about a duplicate group: which file is the canonical copy. Owned by the gateway
 * (the writer of review decisions). Nothing is moved or deleted; the other members are marked
 * DUPLICATE_RESOLVED through events. Undoing keeps the row (with `undoneAt`), so decisions stay on record.
 */
@Entity('duplicate_resolutions')
// At most one decision in force per group.
@Index('duplicate_resolutions_active_group_key_idx', ['groupKey'], { unique: true, where: '"undone_at" IS NULL' })
@Index('duplicate_resolutions_created_at_idx', ['createdAt'])
export class DuplicateResolutionEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** `exact:<sha256>` (and, once fingerprints group recordings, `recording:<id>`). */
  @Column('text', { name: 'group_key' })
  groupKey: string;

  /** exact, recording. */
  @Column('text')
  kind: string;

  @Column('uuid', { name: 'canonical_file_id' })
  canonicalFileId: string;

  /** True when the person kept the proposed canonical file; false when they chose another. */
  @Column('boolean', { name: 'canonical_was_proposed' })
  canonicalWasProposed: boolean;

  /** The reasons shown for the proposal when the decision was made. */
  @Column('jsonb')
  reasons: unknown[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'undone_at', nullable: true })
  undoneAt: Date | null;
}
