import type { DataSource } from 'typeorm';
import type { SameRecordingMatch } from '@crateflow/fingerprint';

export interface SameRecordingPair {
  otherContentHash: string;
  otherTrackId: number;
  coverage: number;
  otherCoverage: number;
  offsetSec: number;
  score: number;
}

/**
 * The rows to record for matches just found: each matched track named by its content (a track whose content
 * is no longer known, removed meanwhile, is left out).
 */
export function sameRecordingPairs(
  matches: SameRecordingMatch[],
  contentOfTrack: Map<number, string>,
): SameRecordingPair[] {
  return matches.flatMap((m) => {
    const other = contentOfTrack.get(m.trackId);
    return other
      ? [
          {
            otherContentHash: other,
            otherTrackId: m.trackId,
            coverage: m.coverage,
            otherCoverage: m.candidateCoverage,
            offsetSec: m.offsetSec,
            score: m.score,
          },
        ]
      : [];
  });
}

/** `same_recording_matches`, written only by the fingerprint stage. */
export class SameRecordingRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Replaces what is known about one content's other encodings with what was just found, in one transaction.
   * Pairs another content recorded with this one stay: they were found from the other side.
   */
  async replaceFor(
    contentHash: string,
    trackId: number,
    algorithmVersion: number,
    pairs: SameRecordingPair[],
  ): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(`DELETE FROM same_recording_matches WHERE content_hash = $1`, [contentHash]);
      await insertPairs(m, contentHash, trackId, algorithmVersion, pairs, { unlessKnownFromOtherSide: false });
    });
  }

  /**
   * Adds pairs found for one content without removing any (an index rebuild: pairs found by the previous
   * generation stay, and a pair is found by whichever side of it is re-indexed second).
   */
  async addFound(
    contentHash: string,
    trackId: number,
    algorithmVersion: number,
    pairs: SameRecordingPair[],
  ): Promise<void> {
    await insertPairs(this.db, contentHash, trackId, algorithmVersion, pairs, { unlessKnownFromOtherSide: true });
  }

  /** Every content recorded as the same recording as this one, from either side. */
  async othersOf(contentHash: string): Promise<{ contentHash: string; trackId: number }[]> {
    const rows: { content_hash: string; track_id: number }[] = await this.db.query(
      `SELECT other_content_hash AS content_hash, other_track_id AS track_id FROM same_recording_matches WHERE content_hash = $1
       UNION
       SELECT content_hash, track_id FROM same_recording_matches WHERE other_content_hash = $1`,
      [contentHash],
    );
    return rows.map((r) => ({ contentHash: r.content_hash.trim(), trackId: r.track_id }));
  }

  /** Every pair of tracks known to be the same recording (for grouping; a few bytes per pair). */
  async allTrackPairs(): Promise<[number, number][]> {
    const rows: { a: number; b: number }[] = await this.db.query(
      `SELECT track_id AS a, other_track_id AS b FROM same_recording_matches`,
    );
    return rows.map((r) => [r.a, r.b]);
  }
}

/**
 * Inserts one content's pairs in one statement (a pair with itself is left out; an existing row stays). With
 * `unlessKnownFromOtherSide`, a pair the other content already recorded with this one is not added again.
 */
async function insertPairs(
  db: Pick<DataSource, 'query'>,
  contentHash: string,
  trackId: number,
  algorithmVersion: number,
  pairs: SameRecordingPair[],
  opts: { unlessKnownFromOtherSide: boolean },
): Promise<void> {
  const others = pairs.filter((p) => p.otherContentHash !== contentHash);
  if (others.length === 0) return;
  const unlessKnown = opts.unlessKnownFromOtherSide
    ? `WHERE NOT EXISTS (SELECT 1 FROM same_recording_matches r WHERE r.content_hash = u.other AND r.other_content_hash = $1)`
    : '';
  await db.query(
    `INSERT INTO same_recording_matches
       (content_hash, other_content_hash, track_id, other_track_id, coverage, other_coverage, offset_sec, score, algorithm_version)
     SELECT $1, u.other, $2, u.other_track, u.coverage, u.other_coverage, u.offset_sec, u.score, $3
       FROM unnest($4::text[], $5::int[], $6::float8[], $7::float8[], $8::float8[], $9::int[])
         AS u(other, other_track, coverage, other_coverage, offset_sec, score)
      ${unlessKnown}
     ON CONFLICT (content_hash, other_content_hash) DO NOTHING`,
    [
      contentHash,
      trackId,
      algorithmVersion,
      others.map((p) => p.otherContentHash),
      others.map((p) => p.otherTrackId),
      others.map((p) => p.coverage),
      others.map((p) => p.otherCoverage),
      others.map((p) => p.offsetSec),
      others.map((p) => Math.round(p.score)),
    ],
  );
}
