import type { DataSource } from 'typeorm';
import { GenerationalFingerprintIndex } from '@crateflow/fingerprint';
import { pgPoolOf } from '@crateflow/persistence';

/**
 * The fingerprint index (`fingerprint_tracks`, the postings tables of both slots and the generations, owned
 * by fingerprint) over the service's own connection pool: the data source's pg pool, so the index and the
 * stage's other tables share connections and limits.
 */
export function fingerprintIndexOver(db: DataSource): GenerationalFingerprintIndex {
  return new GenerationalFingerprintIndex(pgPoolOf(db), { ownsPool: false });
}

/** Crateflow indexes every distinct content once; its recording id in the index is a uuid made of its SHA-256. */
export function recordingIdOfContent(contentHash: string): string {
  const h = contentHash.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(h)) throw new RangeError(`not a SHA-256: ${contentHash}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Track facts the mix job needs: which indexed recordings are too long to be a track of a mix. */
export class FingerprintTrackRepository {
  /**
   * With the generations layer, facts are read from the right slot: what a track holds from the generation
   * this process writes (is it indexed at this version?), which tracks are long from the one look-ups read.
   */
  constructor(
    private readonly db: DataSource,
    private readonly index?: GenerationalFingerprintIndex,
  ) {}

  async trackOfRecording(recordingId: string): Promise<number | null> {
    const rows: { track_id: number }[] = await this.db.query(
      `SELECT track_id FROM fingerprint_tracks WHERE external_id = $1`,
      [recordingId],
    );
    return rows[0]?.track_id ?? null;
  }

  /** The stored facts of a track, when it was indexed completely. */
  async indexed(
    trackId: number,
  ): Promise<{ algorithmVersion: number; landmark: number; triplet: number; durationSec: number } | null> {
    if (this.index) {
      const t = (await (await this.index.writeIndex()).getTracks([trackId])).get(trackId);
      return t
        ? {
            algorithmVersion: t.algorithmVersion,
            landmark: t.landmarkPostings,
            triplet: t.tripletPostings,
            durationSec: t.durationSec,
          }
        : null;
    }
    const rows: {
      algorithm_version: number | null;
      landmark_postings: number | null;
      triplet_postings: number | null;
      duration_sec: number | null;
    }[] = await this.db.query(
      `SELECT algorithm_version, landmark_postings, triplet_postings, duration_sec FROM fingerprint_tracks WHERE track_id = $1`,
      [trackId],
    );
    const r = rows[0];
    if (!r || r.algorithm_version === null || r.landmark_postings === null || r.triplet_postings === null) return null;
    return {
      algorithmVersion: r.algorithm_version,
      landmark: r.landmark_postings,
      triplet: r.triplet_postings,
      durationSec: r.duration_sec ?? 0,
    };
  }

  async longerThan(seconds: number): Promise<number[]> {
    if (this.index) return this.index.tracksLongerThan(seconds);
    const rows: { track_id: number }[] = await this.db.query(
      `SELECT track_id FROM fingerprint_tracks WHERE duration_sec > $1`,
      [seconds],
    );
    return rows.map((r) => r.track_id);
  }
}
