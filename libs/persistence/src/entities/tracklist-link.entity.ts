import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Who made a link: the matcher (score ≥ 90), the source itself (a mix's own fingerprints or cue sheet), or a person's request. */
export type TracklistLinkMaker = 'matcher' | 'source' | 'person';

/**
 * A tracklist linked to a set, by the set's content (so every exact copy shares it and a move keeps it).
 * Owned by tracklists. A person's link/unlink decided later in the UI lives in `tracklist_link_decisions`
 * (owned by the gateway) and wins over this row; the matcher never replaces a `person` row here.
 */
@Entity('tracklist_links')
@Index('tracklist_links_content_hash_idx', ['contentHash'])
export class TracklistLinkEntity {
  @PrimaryColumn('uuid', { name: 'tracklist_id' })
  tracklistId: string;

  @PrimaryColumn('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  @Column('text', { name: 'made_by' })
  madeBy: TracklistLinkMaker;

  /** The match score (0–100) when the matcher made it. */
  @Column('int', { nullable: true })
  score: number | null;

  @UpdateDateColumn({ name: 'linked_at', type: 'timestamptz' })
  linkedAt: Date;
}
