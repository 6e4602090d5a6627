import type { DataSource } from 'typeorm';
import type { FileKind } from '@crateflow/contracts';
import { NO_AUDIO_FAILURE_KINDS } from '@crateflow/persistence';

export interface FingerprintFile {
  id: string;
  /** The exact bytes of the path on disk (what the file is opened by). */
  pathKey: Buffer;
  kind: FileKind;
  contentHash: string;
  /** Set when the file is gone from disk. */
  missing: boolean;
  /**
   * Why the metadata stage found no audio in this content, when it found none at all (a zero-byte file, or
   * bytes that match no audio or video format); null otherwise.
   */
  noAudioReason: string | null;
}

/** Read-only view of `files` (owned by ingest). */
export class FingerprintFileRepository {
  constructor(private readonly db: DataSource) {}

  async get(fileId: string): Promise<FingerprintFile | null> {
    const rows: {
      id: string;
      path_key: Buffer;
      kind: FileKind;
      content_hash: string;
      missing: boolean;
      no_audio_reason: string | null;
    }[] = await this.db.query(
      `SELECT f.id, f.path_key, f.kind, f.content_hash::text AS content_hash, f.missing_since IS NOT NULL AS missing,
              m.failure_reason AS no_audio_reason
         FROM files f
         LEFT JOIN file_metadata m ON m.file_id = f.id AND m.content_hash = f.content_hash AND m.status = 'failed'
              AND m.failure_kind = ANY($2::text[])
        WHERE f.id = $1`,
      [fileId, NO_AUDIO_FAILURE_KINDS],
    );
    const r = rows[0];
    return r
      ? {
          id: r.id,
          pathKey: r.path_key,
          kind: r.kind,
          contentHash: r.content_hash.trim(),
          missing: r.missing,
          noAudioReason: r.no_audio_reason,
        }
      : null;
  }
}
