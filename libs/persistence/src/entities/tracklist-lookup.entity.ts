import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * `found` (never expires), `nothing` (searched cleanly, no result scored: not retried for 180 days),
 * `candidates` (rows scored but none is sure: a person chooses), `retrying` (a transient failure, backing off),
 * `parked` (five transient failures: a person looks), `pending` (asked for, not yet done).
 */
export type TracklistLookupStatus = 'pending' | 'found' | 'nothing' | 'candidates' | 'retrying' | 'parked';

/** One scored search row kept for a person. */
export interface StoredCandidate {
  url: string;
  title: string;
  artist: string | null;
  event: string | null;
  date: string | null;
  score: number;
}

/** The 1001Tracklists look-up record of a set, by content (exact copies share it). Owned by tracklists. */
@Entity('tracklist_lookups')
@Index('tracklist_lookups_next_attempt_idx', ['nextAttemptAt'])
export class TracklistLookupEntity {
  @PrimaryColumn('char', { name: 'content_hash', length: 64 })
  contentHash: string;

  @Column('text')
  query: string;

  @Column('text')
  status: TracklistLookupStatus;

  /** Transient failures in a row. */
  @Column('int', { default: 0 })
  attempts: number;

  /** When it may be searched again; null: never by itself (found, parked). */
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt: Date | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('jsonb', { default: () => "'[]'" })
  candidates: StoredCandidate[];

  @Column('uuid', { name: 'tracklist_id', nullable: true })
  tracklistId: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
