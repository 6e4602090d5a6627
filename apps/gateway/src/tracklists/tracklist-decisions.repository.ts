import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { TrackEditBody } from './tracklists.schemas';

/**
 * The person-made tracklist decisions, the only tracklist tables the gateway writes (DESIGN §2: review
 * decisions): reviews, link/unlink, track edits and removals. The tracklists service never writes them, and
 * readers let them win over what the service stored.
 */
@Injectable()
export class TracklistDecisionsRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async review(tracklistId: string, status: 'proposed' | 'approved' | 'rejected'): Promise<void> {
    if (status === 'proposed') {
      await this.db.query(`DELETE FROM tracklist_decisions WHERE tracklist_id = $1`, [tracklistId]);
      return;
    }
    await this.db.query(
      `INSERT INTO tracklist_decisions (tracklist_id, status) VALUES ($1, $2)
       ON CONFLICT (tracklist_id) DO UPDATE SET status = EXCLUDED.status, decided_at = now()`,
      [tracklistId, status],
    );
  }

  async link(tracklistId: string, contentHash: string, linked: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO tracklist_link_decisions (tracklist_id, content_hash, linked) VALUES ($1, $2, $3)
       ON CONFLICT (tracklist_id, content_hash) DO UPDATE SET linked = EXCLUDED.linked, decided_at = now()`,
      [tracklistId, contentHash, linked],
    );
  }

  /** Merges the changed fields into the track's edit (a field left out keeps its earlier edit). */
  async editTrack(tracklistId: string, trackId: string, changes: TrackEditBody): Promise<void> {
    await this.db.query(
      `INSERT INTO tracklist_track_edits (track_id, tracklist_id, changes) VALUES ($1, $2, $3)
       ON CONFLICT (track_id) DO UPDATE SET changes = tracklist_track_edits.changes || EXCLUDED.changes, edited_at = now()`,
      [trackId, tracklistId, JSON.stringify(changes)],
    );
  }

  async deleteTrack(tracklistId: string, trackId: string, reason: string): Promise<void> {
    await this.db.query(
      `INSERT INTO tracklist_track_edits (track_id, tracklist_id, deleted, reason) VALUES ($1, $2, true, $3)
       ON CONFLICT (track_id) DO UPDATE SET deleted = true, reason = EXCLUDED.reason, edited_at = now()`,
      [trackId, tracklistId, reason],
    );
  }

  /** Removes the tracks of a version whose confidence is below the threshold; returns how many. */
  async rejectBelow(tracklistId: string, version: number, threshold: number): Promise<number> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO tracklist_track_edits (track_id, tracklist_id, deleted, reason)
       SELECT tr.id, tr.tracklist_id, true, $4 FROM tracklist_tracks tr
        LEFT JOIN tracklist_track_edits e ON e.track_id = tr.id
        WHERE tr.tracklist_id = $1 AND tr.version = $2 AND tr.confidence < $3 AND NOT COALESCE(e.deleted, false)
       ON CONFLICT (track_id) DO UPDATE SET deleted = true, reason = EXCLUDED.reason, edited_at = now()
       RETURNING track_id`,
      [tracklistId, version, threshold, `confidence below ${threshold}`],
    );
    return rows.length;
  }
}
