import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A person's decision about one proposal and their edits of its name or folder. Owned by the gateway (the
 * writer of review decisions). One row per proposal, created by the first review action; `version` grows
 * with every change and is the proposal's ETag, so two reviewers cannot overwrite each other.
 */
@Entity('proposal_reviews')
@Index('proposal_reviews_decision_idx', ['decision'])
@Index('proposal_reviews_file_idx', ['fileId'])
// Edited destinations only: most reviews edit none (migration 1796600000000).
@Index('proposal_reviews_destination_key_idx', ['destinationKey'], { where: `"destination_key" IS NOT NULL` })
export class ProposalReviewEntity {
  @PrimaryColumn('uuid', { name: 'proposal_id' })
  proposalId: string;

  @Column('uuid', { name: 'file_id' })
  fileId: string;

  /** The content the decision is about (the proposal's). */
  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  /** pending, approved, rejected. */
  @Column('text')
  decision: string;

  /** True when a person set the folder (then `editedFolder` holds it; null there means "stay"). */
  @Column('boolean', { name: 'folder_edited', default: false })
  folderEdited: boolean;

  @Column('text', { name: 'edited_folder', nullable: true })
  editedFolder: string | null;

  /** A person's name for the file (validated, extension kept); null: the proposed name stands. */
  @Column('text', { name: 'edited_name', nullable: true })
  editedName: string | null;

  /** Destination key of the edited destination (null: the proposal's key stands). */
  @Column('text', { name: 'destination_key', nullable: true })
  destinationKey: string | null;

  /** Starts at 1 with the first action; every change adds one. */
  @Column('int')
  version: number;

  /** approved, rejected, edited, undone. */
  @Column('text', { name: 'last_action' })
  lastAction: string;

  /** The review as it was before the last action (decision, edits), for one step of undo; null after an undo. */
  @Column('jsonb', { nullable: true })
  previous: Record<string, unknown> | null;

  @UpdateDateColumn({ name: 'decided_at', type: 'timestamptz' })
  decidedAt: Date;
}
