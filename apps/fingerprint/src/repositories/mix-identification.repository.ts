import type { DataSource } from 'typeorm';
import type { StoredTimelineEntry } from '@crateflow/persistence';

export interface MixJobRow {
  id: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
}

/** `mix_identifications`, written only by the fingerprint service. */
export class MixIdentificationRepository {
  constructor(private readonly db: DataSource) {}

  async find(jobId: string): Promise<MixJobRow | null> {
    const rows: MixJobRow[] = await this.db.query(`SELECT id, status FROM mix_identifications WHERE id = $1`, [jobId]);
    return rows[0] ?? null;
  }

  /** Starts (or, after a crash, restarts) a job; false when it was cancelled before it started. */
  async start(
    job: { id: string; fileId: string; contentHash: string; requestedAt: string },
    algorithmVersion: number,
  ): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO mix_identifications (id, file_id, content_hash, status, algorithm_version, processed_sec, requested_at, started_at)
       VALUES ($1, $2, $3, 'running', $4, 0, $5, now())
       ON CONFLICT (id) DO UPDATE SET status = 'running', content_hash = excluded.content_hash, processed_sec = 0,
         failure_reason = NULL, entries = NULL, unknown = NULL, finished_at = NULL, started_at = now(),
         algorithm_version = excluded.algorithm_version
       WHERE mix_identifications.status <> 'cancelled'
       RETURNING id`,
      [job.id, job.fileId, job.contentHash, algorithmVersion, job.requestedAt],
    );
    return rows.length > 0;
  }

  /** Records progress; false when the job is no longer running (it was cancelled). */
  async progress(jobId: string, processedSec: number): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.db.query(
      `UPDATE mix_identifications SET processed_sec = $2 WHERE id = $1 AND status = 'running'`,
      [jobId, processedSec],
    );
    return affected > 0;
  }

  /**
   * Marks a job cancelled: a running one (its runner stops at its next progress report) or one not started
   * yet (recorded as cancelled, so it never starts). Returns what the job was before; null when it had not
   * started. A finished job stays as it is.
   */
  async cancel(
    job: { id: string; fileId: string },
    algorithmVersion: number,
  ): Promise<'running' | 'queued' | 'finished'> {
    const rows: { status: string }[] = await this.db.query(
      `WITH before AS (SELECT status FROM mix_identifications WHERE id = $1),
            cancelled AS (
              INSERT INTO mix_identifications (id, file_id, content_hash, status, algorithm_version, requested_at, started_at, finished_at)
              VALUES ($1, $2, $3, 'cancelled', $4, now(), now(), now())
              ON CONFLICT (id) DO UPDATE SET status = 'cancelled', finished_at = now()
                WHERE mix_identifications.status = 'running'
              RETURNING id)
       SELECT coalesce((SELECT status FROM before), 'queued') AS status, (SELECT count(*) FROM cancelled)::int AS n`,
      [job.id, job.fileId, '0'.repeat(64), algorithmVersion],
    );
    const { status } = rows[0];
    return status === 'running' ? 'running' : status === 'queued' ? 'queued' : 'finished';
  }

  async finish(
    jobId: string,
    result: { durationSec: number; entries: StoredTimelineEntry[]; unknown: { startSec: number; endSec: number }[] },
  ): Promise<void> {
    await this.db.query(
      `UPDATE mix_identifications SET status = 'done', processed_sec = $2, duration_sec = $2, entries = $3::jsonb,
         unknown = $4::jsonb, finished_at = now() WHERE id = $1 AND status = 'running'`,
      [jobId, result.durationSec, JSON.stringify(result.entries), JSON.stringify(result.unknown)],
    );
  }

  /**
   * The newest finished timeline of each of these recordings (by content) that was identified as a mix:
   * a library file that is itself a recorded set, whose tracks a mix identification reports instead of it.
   */
  async latestTimelinesOfContents(contentHashes: readonly string[]): Promise<Map<string, StoredTimelineEntry[]>> {
    if (contentHashes.length === 0) return new Map();
    const rows: { content_hash: string; entries: StoredTimelineEntry[] }[] = await this.db.query(
      `SELECT DISTINCT ON (content_hash) content_hash, entries FROM mix_identifications
        WHERE content_hash = ANY($1::char(64)[]) AND status = 'done' AND entries IS NOT NULL
        ORDER BY content_hash, finished_at DESC`,
      [contentHashes],
    );
    return new Map(rows.map((r) => [r.content_hash.trim(), r.entries]));
  }

  /** Marks a job failed; a job that is not recorded yet (it failed before it started) is recorded as failed. */
  async fail(
    job: { id: string; fileId: string; contentHash: string | null; requestedAt: string },
    algorithmVersion: number,
    reason: string,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO mix_identifications (id, file_id, content_hash, status, algorithm_version, failure_reason, requested_at, started_at, finished_at)
       VALUES ($1, $2, $3, 'failed', $4, $5, $6, now(), now())
       ON CONFLICT (id) DO UPDATE SET status = 'failed', failure_reason = excluded.failure_reason, finished_at = now()`,
      [job.id, job.fileId, job.contentHash ?? '0'.repeat(64), algorithmVersion, reason.slice(0, 2000), job.requestedAt],
    );
  }
}
