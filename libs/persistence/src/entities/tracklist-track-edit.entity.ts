import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A person's correction of one track of one tracklist version: new artist/title/time (a field absent from
 * `changes` is unchanged), or the track removed (`deleted`, with the reason). Owned by the gateway. Edits
 * overlay the stored track; a new version of the tracklist starts without them (the old version keeps them).
 */
@Entity('tracklist_track_edits')
@Index('tracklist_track_edits_tracklist_idx', ['tracklistId'])
export class TracklistTrackEditEntity {
  @PrimaryColumn('uuid', { name: 'track_id' })
  trackId: string;

  @Column('uuid', { name: 'tracklist_id' })
  tracklistId: string;

  @Column('jsonb', { default: () => "'{}'" })
  changes: { artist?: string | null; title?: string | null; cueSec?: number | null };

  @Column('boolean', { default: false })
  deleted: boolean;

  @Column('text', { nullable: true })
  reason: string | null;

  @UpdateDateColumn({ name: 'edited_at', type: 'timestamptz' })
  editedAt: Date;
}
