import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type TracklistDecisionStatus = 'approved' | 'rejected';

/** A person's review of a tracklist. Owned by the gateway (review decisions); without a row it is `proposed`. */
@Entity('tracklist_decisions')
export class TracklistDecisionEntity {
  @PrimaryColumn('uuid', { name: 'tracklist_id' })
  tracklistId: string;

  @Column('text')
  status: TracklistDecisionStatus;

  @UpdateDateColumn({ name: 'decided_at', type: 'timestamptz' })
  decidedAt: Date;
}
