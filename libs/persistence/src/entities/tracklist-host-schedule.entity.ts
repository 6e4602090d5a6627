import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The one request schedule per remote host, shared by every tracklists replica (a row lock hands out slots).
 * Owned by tracklists. `nextAt` is the earliest time the next request may go.
 */
@Entity('tracklist_host_schedule')
export class TracklistHostScheduleEntity {
  @PrimaryColumn('text')
  host: string;

  @Column('timestamptz', { name: 'next_at' })
  nextAt: Date;

  /** Refusals (403/429/5xx) in a row; the back-off doubles with each. */
  @Column('int', { default: 0 })
  failures: number;
}
