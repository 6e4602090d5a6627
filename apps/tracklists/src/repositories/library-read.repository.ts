import type { DataSource } from 'typeorm';
import type { StoredTimelineEntry } from '@crateflow/persistence';

/** A file as the tracklists service needs it. */
export interface SetFileRow {
  id: string;
  name: string;
  path: string;
  content_hash: string;
  kind: string;
  missing: boolean;
  duration_sec: number | null;
  artist: string | null;
  title: string | null;
  track_no: number | null;
}

export interface MixJobRow {
  id: string;
  file_id: string;
  content_hash: string;
  status: string;
  duration_sec: number | null;
  entries: StoredTimelineEntry[] | null;
  unknown: { startSec: number; endSec: number }[] | null;
}

export interface RecordingTags {
  artist: string | null;
  title: string | null;
  name: string;
}

export interface CueCompanionRow {
  companion_file_id: string;
  media_file_id: string;
  media_content_hash: string;
  media_name: string;
  parsed: Record<string, unknown> | null;
}

/**
 * What tracklists reads from tables other services own: `files` (ingest), `file_metadata` and the companion
 * tables (metadata), `mix_identifications` (fingerprint). Read only.
 */
export class LibraryReadRepository {
  constructor(private readonly db: DataSource) {}

  async file(id: string): Promise<SetFileRow | null> {
    const rows: SetFileRow[] = await this.db.query(
      `SELECT f.id, f.name, f.path, f.content_hash::text AS content_hash, f.kind, (f.missing_since IS NOT NULL) AS missing,
              m.duration_sec, m.artist, m.title, m.track_no
         FROM files f LEFT JOIN file_metadata m ON m.file_id = f.id AND m.status = 'read'
        WHERE f.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async mixJob(jobId: string): Promise<MixJobRow | null> {
    const rows: MixJobRow[] = await this.db.query(
      `SELECT id, file_id, content_hash::text AS content_hash, status, duration_sec, entries, unknown
         FROM mix_identifications WHERE id = $1`,
      [jobId],
    );
    return rows[0] ?? null;
  }

  /** Tags of one present file per content (the shortest path), for naming identified tracks. */
  async tagsOfContents(hashes: readonly string[]): Promise<Map<string, RecordingTags>> {
    if (hashes.length === 0) return new Map();
    const rows: (RecordingTags & { content_hash: string })[] = await this.db.query(
      `SELECT DISTINCT ON (f.content_hash) f.content_hash::text AS content_hash, f.name, m.artist, m.title
         FROM files f LEFT JOIN file_metadata m ON m.file_id = f.id AND m.status = 'read'
        WHERE f.content_hash = ANY($1::bpchar[]) AND f.missing_since IS NULL
        ORDER BY f.content_hash, (m.title IS NULL), length(f.path), f.path`,
      [[...new Set(hashes)]],
    );
    return new Map(rows.map((r) => [r.content_hash.trim(), r]));
  }

  /** Cue sheets that belong to a media file, found from either end (the cue or the media file). */
  async cueCompanionsTouching(fileId: string): Promise<CueCompanionRow[]> {
    return this.db.query(
      `SELECT l.companion_file_id, l.media_file_id, mf.content_hash::text AS media_content_hash, mf.name AS media_name,
              c.parsed
         FROM companion_links l
         JOIN companion_contents c ON c.file_id = l.companion_file_id AND c.companion_type = 'cue' AND c.status = 'parsed'
         JOIN files cf ON cf.id = l.companion_file_id AND cf.missing_since IS NULL AND cf.content_hash = c.content_hash
         JOIN files mf ON mf.id = l.media_file_id AND mf.missing_since IS NULL
        WHERE l.companion_file_id = $1 OR l.media_file_id = $1`,
      [fileId],
    );
  }

  /** Present files with the same content (exact copies share a set's tracklists). */
  async copiesOf(contentHash: string): Promise<{ id: string }[]> {
    return this.db.query(`SELECT id FROM files WHERE content_hash = $1 AND missing_since IS NULL`, [contentHash]);
  }
}
