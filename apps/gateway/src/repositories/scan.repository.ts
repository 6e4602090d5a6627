import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ScanCounts } from '@crateflow/contracts';
import type { ScanStatus } from '@crateflow/persistence';

export interface ScanRow {
  id: string;
  path: string;
  status: ScanStatus;
  counts: ScanCounts;
  error: string | null;
  created_at: Date;
  /** created_at in microseconds since the epoch, exact (a JS Date keeps only milliseconds): the cursor key. */
  created_at_us: string;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = `id, path, status, counts, error, created_at, started_at, finished_at,
  (extract(epoch from created_at) * 1000000)::bigint::text AS created_at_us`;

/** Read model over `scans` (owned by ingest; the gateway only reads it). */
@Injectable()
export class ScanReadRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async get(id: string): Promise<ScanRow | null> {
    const rows: ScanRow[] = await this.db.query(`SELECT ${COLUMNS} FROM scans WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Which of these scans ingest has recorded. */
  async existing(ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(`SELECT id FROM scans WHERE id = ANY($1::uuid[])`, [ids]);
    return rows.map((r) => r.id);
  }

  /** Newest first, `limit` rows after the keyset (createdAt in µs, id); served by scans_created_at_idx. */
  list(after: readonly [string, string] | undefined, limit: number): Promise<ScanRow[]> {
    if (!after) {
      return this.db.query(`SELECT ${COLUMNS} FROM scans ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]);
    }
    return this.db.query(
      `SELECT ${COLUMNS} FROM scans
        WHERE (created_at, id) < (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::uuid)
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [after[0], after[1], limit],
    );
  }

  /** The newest scan of each of these roots (the roots scans recorded, symlinks resolved). */
  latestPerRoot(roots: string[]): Promise<(ScanRow & { root: string })[]> {
    return this.db.query(
      `SELECT DISTINCT ON (root) root, ${COLUMNS} FROM scans WHERE root = ANY($1::text[])
        ORDER BY root, created_at DESC, id DESC`,
      [roots],
    );
  }
}
