import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A person linked (`linked` true) or unlinked (false) a tracklist and a set's content. Owned by the gateway;
 * it overrides whatever the matcher decided, now and later.
 */
@Entity('tracklist_link_decisions')
@Index('tracklist_link_decisions_content_hash_idx', ['contentHash'])
export class TracklistLinkDecisionEntity {
  @PrimaryColumn('uuid', { name: 'tracklist_id' })
  tracklistId: string;

  @PrimaryColumn('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  @Column('boolean')
  linked: boolean;

  @UpdateDateColumn({ name: 'decided_at', type: 'timestamptz' })
  decidedAt: Date;
}
