import type { DataSource } from 'typeorm';

/**
 * The request schedule of a remote host, shared by every replica through one row in PostgreSQL. A reservation
 * moves the row's `next_at` forward atomically (one statement, row-locked by the upsert), so two replicas never
 * get the same slot however their requests interleave. Times come from the caller's clock.
 */
export interface RequestSchedule {
  /** The time (ms) this request may go; the next one is `spacingMs` after it, or after a back-off. */
  reserve(host: string, nowMs: number, spacingMs: number): Promise<number>;
  /** The host refused (403/429/5xx, a challenge): push the schedule back by base × 2^refusals, up to max. */
  refused(host: string, nowMs: number, baseMs: number, maxMs: number): Promise<number>;
  /** A good answer ends the back-off series. */
  answered(host: string): Promise<void>;
}

export class PostgresRequestSchedule implements RequestSchedule {
  constructor(private readonly db: DataSource) {}

  async reserve(host: string, nowMs: number, spacingMs: number): Promise<number> {
    const rows: { slot_ms: string }[] = await this.db.query(
      `INSERT INTO tracklist_host_schedule AS s (host, next_at, failures)
            VALUES ($1, to_timestamp($2::double precision / 1000) + make_interval(secs => $3::double precision / 1000), 0)
       ON CONFLICT (host) DO UPDATE
             SET next_at = GREATEST(s.next_at, to_timestamp($2::double precision / 1000))
                         + make_interval(secs => $3::double precision / 1000)
         RETURNING (extract(epoch FROM next_at) * 1000)::double precision - $3::double precision AS slot_ms`,
      [host, nowMs, spacingMs],
    );
    return Math.round(Number(rows[0].slot_ms));
  }

  async refused(host: string, nowMs: number, baseMs: number, maxMs: number): Promise<number> {
    const rows: { until_ms: string }[] = await this.db.query(
      `UPDATE tracklist_host_schedule
          SET failures = failures + 1,
              next_at = GREATEST(next_at, to_timestamp($2::double precision / 1000)
                        + make_interval(secs => LEAST($4::double precision, $3::double precision * power(2, LEAST(failures, 30))) / 1000))
        WHERE host = $1
    RETURNING (extract(epoch FROM next_at) * 1000)::double precision AS until_ms`,
      [host, nowMs, baseMs, maxMs],
    );
    return rows[0] ? Math.round(Number(rows[0].until_ms)) : nowMs;
  }

  async answered(host: string): Promise<void> {
    await this.db.query(`UPDATE tracklist_host_schedule SET failures = 0 WHERE host = $1 AND failures <> 0`, [host]);
  }
}
