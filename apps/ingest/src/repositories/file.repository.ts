import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { FileKind } from '@crateflow/contracts';
import { displayPath } from '../scans/path-bytes';

export interface KnownFile {
  id: string;
  pathKey: Buffer;
  size: number;
  mtimeMs: number;
  contentHash: string;
  missingSince: Date | null;
  firstSeenScanId: string;
  changedScanId: string | null;
  generation: number;
}

export interface HashedFile {
  pathKey: Buffer;
  dirKey: Buffer;
  name: string;
  ext: string;
  kind: FileKind;
  size: number;
  mtimeMs: number;
  contentHash: string;
}

export interface UpsertedFile {
  id: string;
  kind: FileKind;
  contentHash: string;
  generation: number;
  /**
   * new: first time seen; changed: the content differs from what was recorded (it re-enters the chain);
   * touched: only size-preserving metadata such as mtime differed, the bytes are the same (nothing to announce).
   */
  change: 'new' | 'changed' | 'touched';
}

/** The files table, written only by ingest. Batched SQL: one statement per batch, never per file. */
export class FileRepository {
  constructor(private readonly db: DataSource) {}

  async findByDir(dirKey: Buffer): Promise<Map<string, KnownFile>> {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT id, path_key, size, mtime_ms, content_hash, missing_since, first_seen_scan_id, changed_scan_id, generation
         FROM files WHERE dir_key = $1`,
      [dirKey],
    );
    return new Map(
      rows.map((r) => [
        (r.path_key as Buffer).toString('hex'),
        {
          id: r.id as string,
          pathKey: r.path_key as Buffer,
          size: Number(r.size),
          mtimeMs: Number(r.mtime_ms),
          contentHash: (r.content_hash as string).trim(),
          missingSince: (r.missing_since as Date | null) ?? null,
          firstSeenScanId: r.first_seen_scan_id as string,
          changedScanId: (r.changed_scan_id as string | null) ?? null,
          generation: Number(r.generation),
        },
      ]),
    );
  }

  /**
   * Inserts new files and records changed ones in one statement. Keyed by the path's bytes, so a
   * repeated batch (a resumed scan) updates instead of duplicating. Only a different content hash makes a
   * change (a new generation); a touch that left the bytes alone just records the new size/mtime.
   */
  async upsert(scanId: string, root: string, files: HashedFile[]): Promise<UpsertedFile[]> {
    if (!files.length) return [];
    const display = files.map((f) => displayPath(f.pathKey));
    const rows: Record<string, unknown>[] = await this.db.query(
      `INSERT INTO files (id, root, path, path_key, path_is_utf8, dir_key, name, ext, kind, size, mtime_ms, content_hash,
                          first_seen_scan_id, last_seen_scan_id, changed_scan_id)
       SELECT u.id, $1, u.path, u.path_key, u.is_utf8, u.dir_key, u.name, u.ext, u.kind, u.size, u.mtime_ms, u.content_hash, $2, $2, NULL
         FROM unnest($3::uuid[], $4::text[], $5::bytea[], $6::bool[], $7::bytea[], $8::text[], $9::text[], $10::text[],
                     $11::bigint[], $12::float8[], $13::text[])
           AS u(id, path, path_key, is_utf8, dir_key, name, ext, kind, size, mtime_ms, content_hash)
       ON CONFLICT (path_key) DO UPDATE SET
         size = excluded.size,
         mtime_ms = excluded.mtime_ms,
         content_hash = excluded.content_hash,
         kind = excluded.kind,
         last_seen_scan_id = excluded.last_seen_scan_id,
         missing_since = NULL,
         missing_scan_id = NULL,
         changed_scan_id = CASE
           WHEN files.first_seen_scan_id = excluded.first_seen_scan_id THEN files.changed_scan_id
           WHEN files.content_hash <> excluded.content_hash THEN excluded.last_seen_scan_id
           ELSE files.changed_scan_id END,
         generation = files.generation + CASE WHEN files.content_hash <> excluded.content_hash THEN 1 ELSE 0 END,
         updated_at = now()
       RETURNING id, kind, content_hash, generation, (first_seen_scan_id = $2) AS is_new,
                 (changed_scan_id IS NOT NULL AND changed_scan_id = last_seen_scan_id) AS is_changed`,
      [
        root,
        scanId,
        files.map(() => randomUUID()),
        display.map((d) => d.text),
        files.map((f) => f.pathKey),
        display.map((d) => d.isUtf8),
        files.map((f) => f.dirKey),
        files.map((f) => f.name),
        files.map((f) => f.ext),
        files.map((f) => f.kind),
        files.map((f) => f.size),
        files.map((f) => f.mtimeMs),
        files.map((f) => f.contentHash),
      ],
    );
    return rows.map((r) => ({
      id: r.id as string,
      kind: r.kind as FileKind,
      contentHash: (r.content_hash as string).trim(),
      generation: Number(r.generation),
      change: r.is_new ? 'new' : r.is_changed ? 'changed' : 'touched',
    }));
  }

  /** Records that unchanged files were seen by this scan (and are no longer missing, if they were). */
  async markSeen(scanId: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.query(
      `UPDATE files SET last_seen_scan_id = $1, missing_since = NULL, missing_scan_id = NULL WHERE id = ANY($2::uuid[]) AND last_seen_scan_id <> $1`,
      [scanId, ids],
    );
  }

  /** Files recorded below `scope` that this scan did not see and that are not yet marked missing. */
  async unseenBelow(scope: Buffer, scanId: string): Promise<{ id: string; pathKey: Buffer }[]> {
    const rows: { id: string; path_key: Buffer }[] = await this.db.query(
      `SELECT id, path_key FROM files
        WHERE path_key >= $1 AND path_key < $2 AND last_seen_scan_id <> $3 AND missing_since IS NULL`,
      [Buffer.concat([scope, Buffer.from('/')]), Buffer.concat([scope, Buffer.from('0')]), scanId],
    );
    return rows.map((r) => ({ id: r.id, pathKey: r.path_key }));
  }

  async countPresentBelow(scope: Buffer): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM files WHERE path_key >= $1 AND path_key < $2 AND missing_since IS NULL`,
      [Buffer.concat([scope, Buffer.from('/')]), Buffer.concat([scope, Buffer.from('0')])],
    );
    return row.n;
  }

  async markMissing(scanId: string, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) {
      await this.db.query(
        `UPDATE files SET missing_since = now(), missing_scan_id = $1 WHERE id = ANY($2::uuid[]) AND missing_since IS NULL`,
        [scanId, ids.slice(i, i + 1000)],
      );
    }
  }

  /** New and changed files of a scan, recounted from the table so a resumed scan reports the truth. */
  async scanChanges(scanId: string): Promise<{ new: number; changed: number; seen: number; missing: number }> {
    const [row] = await this.db.query(
      `SELECT count(*) FILTER (WHERE last_seen_scan_id = $1 AND first_seen_scan_id = $1)::int AS new,
              count(*) FILTER (WHERE last_seen_scan_id = $1 AND changed_scan_id = $1 AND first_seen_scan_id <> $1)::int AS changed,
              count(*) FILTER (WHERE last_seen_scan_id = $1)::int AS seen,
              count(*) FILTER (WHERE missing_scan_id = $1 AND missing_since IS NOT NULL)::int AS missing
         FROM files WHERE last_seen_scan_id = $1 OR missing_scan_id = $1`,
      [scanId],
    );
    return row;
  }
}
