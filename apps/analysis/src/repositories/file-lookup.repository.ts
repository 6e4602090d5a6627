import type { DataSource } from 'typeorm';
import type { FileKind } from '@crateflow/contracts';
import { NO_AUDIO_FAILURE_KINDS } from '@crateflow/persistence';

export interface AnalysisFile {
  id: string;
  /** The exact bytes of the path on disk (what the file is opened by). */
  pathKey: Buffer;
  kind: FileKind;
  contentHash: string;
  /** The file's own BPM and key tags, as the metadata stage read them for this content (absent: none). */
  tags: { bpm?: string; key?: string };
  /** Why the metadata stage found no audio at all in this content (zero bytes, no audio signature); else null. */
  noAudioReason: string | null;
}

/**
 * Read-only view of `files` (owned by ingest) and of the tags in `file_metadata` (owned by metadata).
 * Tags read from older content are ignored: they describe audio the file no longer has.
 */
export class FileLookupRepository {
  constructor(private readonly db: DataSource) {}

  async get(fileId: string): Promise<AnalysisFile | null> {
    const rows: {
      id: string;
      path_key: Buffer;
      kind: FileKind;
      content_hash: string;
      bpm_tag: string | null;
      key_tag: string | null;
      no_audio_reason: string | null;
    }[] = await this.db.query(
      `SELECT f.id, f.path_key, f.kind, f.content_hash, m.bpm_tag, m.key_tag,
              CASE WHEN m.status = 'failed' AND m.failure_kind = ANY($2::text[]) THEN m.failure_reason END AS no_audio_reason
         FROM files f
         LEFT JOIN file_metadata m ON m.file_id = f.id AND m.content_hash = f.content_hash
        WHERE f.id = $1`,
      [fileId, NO_AUDIO_FAILURE_KINDS],
    );
    const r = rows[0];
    if (!r) return null;
    const tags: AnalysisFile['tags'] = {};
    // Tags count only when the metadata stage read them (a failed row has none).
    if (r.bpm_tag !== null) tags.bpm = String(Number(r.bpm_tag));
    if (r.key_tag !== null && r.key_tag.trim() !== '') tags.key = r.key_tag;
    return {
      id: r.id,
      pathKey: r.path_key,
      kind: r.kind,
      contentHash: r.content_hash.trim(),
      tags,
      noAudioReason: r.no_audio_reason,
    };
  }
}
