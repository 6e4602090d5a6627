import type { DataSource } from 'typeorm';

export interface TrackFile {
  fileId: string;
  contentHash: string;
  /** The exact bytes of the path on disk. */
  pathKey: Buffer;
}

/**
 * What an index rebuild needs to know about the files of a track: which files hold its content (to decode
 * one of them again), and their `file_fingerprints` rows to bring to the new version. Reads `files` (owned by
 * ingest); writes only `file_fingerprints` (owned by fingerprint).
 */
export class RebuildFilesRepository {
  constructor(private readonly db: DataSource) {}

  /** Present files whose current content is the track's, in a stable order (any one will do). */
  async filesOfTrack(trackId: number): Promise<TrackFile[]> {
    const rows: { id: string; content_hash: string; path_key: Buffer }[] = await this.db.query(
      `SELECT f.id, f.content_hash::text AS content_hash, f.path_key
         FROM file_fingerprints ff JOIN files f ON f.id = ff.file_id AND f.content_hash = ff.content_hash
        WHERE ff.track_id = $1 AND ff.status = 'done' AND f.missing_since IS NULL
        ORDER BY f.id`,
      [trackId],
    );
    return rows.map((r) => ({ fileId: r.id, contentHash: r.content_hash.trim(), pathKey: r.path_key }));
  }

  /** Every file fingerprinted as this track now has its postings in the new version. */
  async markReindexed(
    trackId: number,
    algorithmVersion: number,
    facts: { landmarkPostings: number; tripletPostings: number },
  ): Promise<void> {
    await this.db.query(
      `UPDATE file_fingerprints SET algorithm_version = $2, landmark_postings = $3, triplet_postings = $4,
         fingerprinted_at = now()
        WHERE track_id = $1 AND status = 'done'`,
      [trackId, algorithmVersion, facts.landmarkPostings, facts.tripletPostings],
    );
  }
}
