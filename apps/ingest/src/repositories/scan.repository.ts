import type { DataSource } from 'typeorm';
import { emptyScanCounts, type ScanCounts } from '@crateflow/contracts';
import { ScanEntity, type ScanStatus } from '@crateflow/persistence';

export const EMPTY_COUNTS: Readonly<ScanCounts> = Object.freeze(emptyScanCounts());

/** The scans table, written only by ingest. */
export class ScanRepository {
  constructor(private readonly db: DataSource) {}

  get(id: string): Promise<ScanEntity | null> {
    return this.db.getRepository(ScanEntity).findOneBy({ id });
  }

  /** Starts (or, after a crash and redelivery, resumes) a scan; returns the row after the update. */
  async start(id: string, root: string, path: string): Promise<ScanEntity> {
    await this.db.query(
      `INSERT INTO scans (id, root, path, status, counts, attempts, started_at)
       VALUES ($1, $2, $3, 'running', $4, 1, now())
       ON CONFLICT (id) DO UPDATE SET attempts = scans.attempts + 1, updated_at = now()
         WHERE scans.status IN ('queued', 'running')`,
      [id, root, path, EMPTY_COUNTS],
    );
    return (await this.get(id))!;
  }

  async progress(id: string, counts: ScanCounts): Promise<void> {
    await this.db.query(`UPDATE scans SET counts = $2, updated_at = now() WHERE id = $1 AND status = 'running'`, [
      id,
      counts,
    ]);
  }

  async finish(
    id: string,
    status: Exclude<ScanStatus, 'queued' | 'running'>,
    counts: ScanCounts,
    error?: string,
  ): Promise<void> {
    await this.db.query(
      `UPDATE scans SET status = $2, counts = $3, error = $4, finished_at = now(), updated_at = now() WHERE id = $1`,
      [id, status, counts, error ?? null],
    );
  }

  /** Records a scan that could not even start (bad path) so the person asking sees why. */
  async reject(id: string, path: string, error: string): Promise<void> {
    await this.db.query(
      `INSERT INTO scans (id, root, path, status, counts, error, attempts, started_at, finished_at)
       VALUES ($1, '', $2, 'failed', $3, $4, 1, now(), now())
       ON CONFLICT (id) DO UPDATE SET status = 'failed', error = $4, finished_at = now(), updated_at = now()
         WHERE scans.status IN ('queued', 'running')`,
      [id, path, EMPTY_COUNTS, error],
    );
  }
}
