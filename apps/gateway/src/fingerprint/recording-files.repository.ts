import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FileState } from '@crateflow/contracts';

/** A present file that holds a recording, with the tags a tracklist names it by. */
export interface RecordingFileRow {
  id: string;
  path: string;
  name: string;
  state: FileState;
  content_hash: string;
  artist: string | null;
  title: string | null;
  album: string | null;
  duration_sec: number | null;
}

/**
 * Read model from fingerprint results to files: which present files hold a content (or, when every copy of it
 * is gone or untagged, another encoding of the same recording), with their tags. Reads `files` (ingest), `file_metadata`
 * (metadata), `file_fingerprints` and `same_recording_matches` (fingerprint).
 */
@Injectable()
export class RecordingFilesRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  /**
   * The best present file of each content: not set aside as a duplicate, then the shortest path. A content
   * with no present copy, or whose copies carry no artist and title (an untagged promo of a tagged album
   * track), is represented by a tagged present file of its same-recording group when there is one: a
   * tracklist names the recording by the copy a DJ tagged. Failing that, by its own file, or any of the group.
   */
  async bestFileOfContents(contentHashes: readonly string[]): Promise<Map<string, RecordingFileRow>> {
    const out = new Map<string, RecordingFileRow>();
    const wanted = [...new Set(contentHashes)];
    if (wanted.length === 0) return out;
    for (const f of await this.presentFiles(wanted))
      if (!out.has(f.content_hash.trim())) out.set(f.content_hash.trim(), f);
    const weak = wanted.filter((h) => !isTagged(out.get(h)));
    if (weak.length === 0) return out;
    const siblings: { content_hash: string; other: string }[] = await this.db.query(
      `SELECT content_hash, other_content_hash AS other FROM same_recording_matches WHERE content_hash = ANY($1::bpchar[])
       UNION ALL
       SELECT other_content_hash, content_hash FROM same_recording_matches WHERE other_content_hash = ANY($1::bpchar[])`,
      [weak],
    );
    // presentFiles lists each content's best file first, and the contents in hash order: the choice is stable.
    const byOther = new Map<string, RecordingFileRow>();
    for (const f of await this.presentFiles(siblings.map((s) => s.other.trim())))
      if (!byOther.has(f.content_hash.trim())) byOther.set(f.content_hash.trim(), f);
    for (const s of [...siblings].sort((a, b) => a.other.localeCompare(b.other))) {
      const file = byOther.get(s.other.trim());
      const current = out.get(s.content_hash.trim());
      if (file && (!current || (!isTagged(current) && isTagged(file)))) out.set(s.content_hash.trim(), file);
    }
    return out;
  }

  /** The content each fingerprint track holds (a track is one distinct content; its files come from bestFileOfContents). */
  async contentsOfTracks(trackIds: readonly number[]): Promise<Map<number, string>> {
    if (trackIds.length === 0) return new Map();
    const rows: { track_id: number; content_hash: string }[] = await this.db.query(
      `SELECT DISTINCT ON (track_id) track_id, content_hash FROM file_fingerprints
        WHERE track_id = ANY($1::int[]) AND status = 'done'`,
      [[...new Set(trackIds)]],
    );
    return new Map(rows.map((r) => [r.track_id, r.content_hash.trim()]));
  }

  private presentFiles(contentHashes: string[]): Promise<RecordingFileRow[]> {
    if (contentHashes.length === 0) return Promise.resolve([]);
    return this.db.query(
      `SELECT f.id, f.path, f.name, f.state, f.content_hash::text AS content_hash, m.artist, m.title, m.album, m.duration_sec
         FROM files f
         LEFT JOIN LATERAL (
           SELECT s.artist, s.title, s.album, s.duration_sec FROM file_metadata s
            WHERE s.content_hash = f.content_hash AND s.status = 'read'
            ORDER BY (s.file_id = f.id) DESC LIMIT 1) m ON true
        WHERE f.content_hash = ANY($1::bpchar[]) AND f.missing_since IS NULL
        ORDER BY f.content_hash, (f.state = 'DUPLICATE_RESOLVED'), length(f.path), f.path`,
      [contentHashes],
    );
  }
}

/** A file a tracklist can name by artist and title. */
function isTagged(f: RecordingFileRow | undefined): boolean {
  return !!f?.artist?.trim() && !!f.title?.trim();
}
