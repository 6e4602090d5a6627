import type { DataSource } from 'typeorm';
import type { StoredCandidate, TracklistLookupStatus } from '@crateflow/persistence';
import type { LookupState } from '../lookups/lookup-rules';

export interface LookupRecord extends LookupState {
  contentHash: string;
  query: string;
  lastError: string | null;
  candidates: StoredCandidate[];
  tracklistId: string | null;
}

/** The look-up record of each set, by content (owned by tracklists). */
export class LookupsRepository {
  constructor(private readonly db: DataSource) {}

  async get(contentHash: string): Promise<LookupRecord | null> {
    const rows: {
      content_hash: string;
      query: string;
      status: TracklistLookupStatus;
      attempts: number;
      next_attempt_at: Date | null;
      last_error: string | null;
      candidates: StoredCandidate[];
      tracklist_id: string | null;
    }[] = await this.db.query(`SELECT * FROM tracklist_lookups WHERE content_hash = $1`, [contentHash]);
    const r = rows[0];
    if (!r) return null;
    return {
      contentHash: r.content_hash,
      query: r.query,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error,
      candidates: r.candidates,
      tracklistId: r.tracklist_id,
    };
  }

  /**
   * Settled look-ups (found, nothing, candidates) of other contents with the same query, with the duration of
   * a file of that content: copies of one set in other encodings share a result.
   */
  async settledWithQuery(
    query: string,
    exceptHash: string,
  ): Promise<(LookupRecord & { durationSec: number | null })[]> {
    const rows: { content_hash: string }[] = await this.db.query(
      `SELECT content_hash FROM tracklist_lookups
        WHERE query = $1 AND content_hash <> $2 AND status IN ('found', 'nothing', 'candidates') LIMIT 20`,
      [query, exceptHash],
    );
    const out: (LookupRecord & { durationSec: number | null })[] = [];
    for (const r of rows) {
      const rec = await this.get(r.content_hash);
      if (!rec) continue;
      const [d]: { duration_sec: number | null }[] = await this.db.query(
        `SELECT duration_sec FROM file_metadata WHERE content_hash = $1 AND duration_sec IS NOT NULL LIMIT 1`,
        [r.content_hash],
      );
      out.push({ ...rec, durationSec: d?.duration_sec ?? null });
    }
    return out;
  }

  /** Look-ups whose back-off has ended, with a present file of their content to search for. */
  async dueRetries(nowMs: number, limit: number): Promise<{ contentHash: string; fileId: string; attempts: number }[]> {
    const rows: { content_hash: string; file_id: string; attempts: number }[] = await this.db.query(
      `SELECT l.content_hash, f.id AS file_id, l.attempts FROM tracklist_lookups l
         JOIN LATERAL (SELECT id FROM files WHERE content_hash = l.content_hash AND missing_since IS NULL LIMIT 1) f ON true
        WHERE l.status IN ('retrying', 'nothing', 'candidates') AND l.next_attempt_at <= to_timestamp($1::double precision / 1000)
        ORDER BY l.next_attempt_at LIMIT $2`,
      [nowMs, limit],
    );
    return rows.map((r) => ({ contentHash: r.content_hash, fileId: r.file_id, attempts: r.attempts }));
  }

  async put(record: LookupRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO tracklist_lookups (content_hash, query, status, attempts, next_attempt_at, last_error, candidates, tracklist_id, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (content_hash) DO UPDATE SET query = EXCLUDED.query, status = EXCLUDED.status, attempts = EXCLUDED.attempts,
             next_attempt_at = EXCLUDED.next_attempt_at, last_error = EXCLUDED.last_error, candidates = EXCLUDED.candidates,
             tracklist_id = EXCLUDED.tracklist_id, updated_at = now()`,
      [
        record.contentHash,
        record.query,
        record.status,
        record.attempts,
        record.nextAttemptAt,
        record.lastError,
        JSON.stringify(record.candidates),
        record.tracklistId,
      ],
    );
  }
}
