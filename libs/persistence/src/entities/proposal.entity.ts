import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** The proposer's own status of a proposal; a person's decision lives in proposal_reviews. */
export type ProposalRowStatus = 'pending' | 'invalid' | 'superseded';

/**
 * A proposed name and folder for one file's content. Owned by the proposer. Rows are never changed after
 * they are written except to mark them `superseded` (a newer proposal replaced a pending one, or the file's
 * content changed) and `destination_shared` (another file's proposal heads there too); a person's decision and
 * edits are the gateway's, in proposal_reviews.
 *
 * Read contract (the executor and the gateway): see apps/proposer/README.md and
 * libs/persistence/src/read-models/approved-proposals.ts.
 */
@Entity('proposals')
// At most one live (pending or invalid) proposal per file.
@Index('proposals_live_file_idx', ['fileId'], { unique: true, where: `"status" <> 'superseded'` })
@Index('proposals_file_idx', ['fileId', 'createdAt'])
@Index('proposals_destination_key_idx', ['destinationKey'], { where: `"status" = 'pending'` })
@Index('proposals_keyset_idx', ['createdAt', 'id'])
// The review list's confidence and path orders (keyset pages; migration 1796400000000).
@Index('proposals_confidence_keyset_idx', ['confidence', 'id'])
@Index('proposals_path_keyset_idx', ['originalPath', 'id'])
export class ProposalEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'file_id' })
  fileId: string;

  /** The content the proposal was made for; it applies only while the file still has this hash. */
  @Column('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  /** The generation request that produced it (absent: the automatic pipeline). */
  @Column('uuid', { name: 'generation_id', nullable: true })
  generationId: string | null;

  @Column('text')
  status: ProposalRowStatus;

  /** rules, llm or rules-fallback. */
  @Column('text')
  source: string;

  /** The LLM model that answered (provider:model), when one did. */
  @Column('text', { nullable: true })
  model: string | null;

  /** The file's path relative to its library root when the proposal was made (the "old" side). */
  @Column('text', { name: 'original_path' })
  originalPath: string;

  /** Folder relative to the output root, `/`-separated; null means the file stays in its folder. */
  @Column('text', { name: 'proposed_folder', nullable: true })
  proposedFolder: string | null;

  /** File name including the extension, kept exactly as the original's. */
  @Column('text', { name: 'proposed_name' })
  proposedName: string;

  /** NFC + case-folded destination, the key collisions are found by (see @crateflow/naming destinationKey). */
  @Column('text', { name: 'destination_key' })
  destinationKey: string;

  @Column('real')
  confidence: number;

  /** Extracted facts: artist, title, album, track number, event, venue, date, source type, b2b partners. */
  @Column('jsonb')
  facts: Record<string, unknown>;

  /** One line for a person: why this name. */
  @Column('text')
  reason: string;

  /** Exactly the context the proposal was made from (what the LLM was sent, or what the rules read). */
  @Column('jsonb')
  context: Record<string, unknown>;

  /** Why the proposed name or folder could not be made valid (status `invalid`). */
  @Column('text', { name: 'invalid_reason', nullable: true })
  invalidReason: string | null;

  /** An existing file on disk (relative to the output root) the destination collides with, when generated. */
  @Column('text', { name: 'disk_collision', nullable: true })
  diskCollision: string | null;

  /**
   * A pending proposal whose destination key a pending proposal of another file has, or had (never cleared):
   * the review list's read model that narrows its collision look-ups (read-models/shared-destinations.ts).
   */
  @Column('boolean', { name: 'destination_shared', default: false })
  destinationShared: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
