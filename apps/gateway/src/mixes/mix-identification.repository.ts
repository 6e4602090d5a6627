import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { StoredTimelineEntry } from '@crateflow/persistence';

export interface MixIdentificationRow {
  id: string;
  file_id: string;
  content_hash: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  processed_sec: number;
  duration_sec: number | null;
  failure_reason: string | null;
  entries: StoredTimelineEntry[] | null;
  unknown: { startSec: number; endSec: number }[] | null;
  requested_at: Date;
  started_at: Date;
  finished_at: Date | null;
}

/** Read model over `mix_identifications` (owned by fingerprint). */
@Injectable()
export class MixIdentificationReadRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  /** The newest identification of a mix: the newest finished one, else the running one. */
  async latest(fileId: string): Promise<MixIdentificationRow | null> {
    const rows: MixIdentificationRow[] = await this.db.query(
      `SELECT id, file_id, content_hash, status, processed_sec, duration_sec, failure_reason, entries, unknown,
              requested_at, started_at, finished_at
         FROM mix_identifications WHERE file_id = $1
        ORDER BY requested_at DESC, started_at DESC LIMIT 1`,
      [fileId],
    );
    return rows[0] ?? null;
  }

  /** One identification job of a mix, by its id. */
  async job(fileId: string, jobId: string): Promise<Pick<MixIdentificationRow, 'id' | 'status'> | null> {
    const rows: Pick<MixIdentificationRow, 'id' | 'status'>[] = await this.db.query(
      `SELECT id, status FROM mix_identifications WHERE file_id = $1 AND id = $2`,
      [fileId, jobId],
    );
    return rows[0] ?? null;
  }

  /** The newest done identification of a mix (what a CUE sheet is made from). */
  async latestDone(fileId: string): Promise<MixIdentificationRow | null> {
    const rows: MixIdentificationRow[] = await this.db.query(
      `SELECT id, file_id, content_hash, status, processed_sec, duration_sec, failure_reason, entries, unknown,
              requested_at, started_at, finished_at
         FROM mix_identifications WHERE file_id = $1 AND status = 'done'
        ORDER BY requested_at DESC LIMIT 1`,
      [fileId],
    );
    return rows[0] ?? null;
  }
}
