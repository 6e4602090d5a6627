import type { DataSource } from 'typeorm';

export interface StoredFileFingerprint {
  contentHash: string;
  algorithmVersion: number;
  status: 'done' | 'failed';
  trackId: number | null;
}

export interface FingerprintFacts {
  trackId: number;
  durationSec: number;
  audibleSec: number;
  landmarkPostings: number;
  tripletPostings: number;
}

const COLUMNS = [
  'file_id',
  'content_hash',
  'algorithm_version',
  'status',
  'failure_reason',
  'track_id',
  'duration_sec',
  'audible_sec',
  'landmark_postings',
  'triplet_postings',
] as const;

const UPSERT = `INSERT INTO file_fingerprints (${COLUMNS.join(', ')})
  VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (file_id) DO UPDATE SET ${COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}, fingerprinted_at = now()`;

/** `file_fingerprints`, written only by the fingerprint stage. One row per file, replaced for new content. */
export class FileFingerprintRepository {
  constructor(private readonly db: DataSource) {}

  async find(fileId: string): Promise<StoredFileFingerprint | null> {
    const rows: {
      content_hash: string;
      algorithm_version: number;
      status: 'done' | 'failed';
      track_id: number | null;
    }[] = await this.db.query(
      `SELECT content_hash, algorithm_version, status, track_id FROM file_fingerprints WHERE file_id = $1`,
      [fileId],
    );
    const r = rows[0];
    return r
      ? {
          contentHash: r.content_hash.trim(),
          algorithmVersion: r.algorithm_version,
          status: r.status,
          trackId: r.track_id,
        }
      : null;
  }

  /** Idempotent: a redelivered message writes the same row again. */
  async saveDone(
    fileId: string,
    contentHash: string,
    algorithmVersion: number,
    facts: FingerprintFacts,
  ): Promise<void> {
    await this.db.query(UPSERT, [
      fileId,
      contentHash,
      algorithmVersion,
      'done',
      null,
      facts.trackId,
      facts.durationSec,
      facts.audibleSec,
      facts.landmarkPostings,
      facts.tripletPostings,
    ]);
  }

  /**
   * Records why a file could not be fingerprinted. With `keepExisting`, a failure the stage already recorded
   * for this content (its own, better worded reason) is kept.
   */
  async saveFailure(
    fileId: string,
    contentHash: string,
    algorithmVersion: number,
    reason: string,
    options: { keepExisting?: boolean } = {},
  ): Promise<void> {
    const values = [fileId, contentHash, algorithmVersion, 'failed', reason, null, null, null, null, null];
    const guard = options.keepExisting
      ? ` WHERE file_fingerprints.content_hash <> excluded.content_hash OR file_fingerprints.status <> 'failed'`
      : '';
    await this.db.query(UPSERT + guard, values);
  }

  /** The content each of these tracks holds (a track is one distinct content; any file with it will do). */
  async contentOfTracks(trackIds: readonly number[]): Promise<Map<number, string>> {
    if (trackIds.length === 0) return new Map();
    const rows: { track_id: number; content_hash: string }[] = await this.db.query(
      `SELECT DISTINCT ON (track_id) track_id, content_hash FROM file_fingerprints
        WHERE track_id = ANY($1::int[]) AND status = 'done'`,
      [trackIds],
    );
    return new Map(rows.map((r) => [r.track_id, r.content_hash.trim()]));
  }
}
