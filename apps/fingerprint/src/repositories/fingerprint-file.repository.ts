import type { DataSource } from 'typeorm';
import type { FileKind } from '@crateflow/contracts';

export interface FingerprintFile {
  id: string;
  /** The exact bytes of the path on disk (what the file is opened by). */
  pathKey: Buffer;
  kind: FileKind;
  contentHash: string;
  /** Set when the file is gone from disk. */
  missing: boolean;
}

/** Read-only view of `files` (owned by ingest). */
export class FingerprintFileRepository {
  constructor(private readonly db: DataSource) {}

  async get(fileId: string): Promise<FingerprintFile | null> {
    const rows: { id: string; path_key: Buffer; kind: FileKind; content_hash: string; missing: boolean }[] =
      await this.db.query(
        `SELECT id, path_key, kind, content_hash::text AS content_hash, missing_since IS NOT NULL AS missing
           FROM files WHERE id = $1`,
        [fileId],
      );
    const r = rows[0];
    return r ? { id: r.id, pathKey: r.path_key, kind: r.kind, contentHash: r.content_hash.trim(), missing: r.missing } : null;
  }
}
