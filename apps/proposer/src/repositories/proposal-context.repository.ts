import type { DataSource } from 'typeorm';
import type { FileKind, FileState } from '@crateflow/contracts';
import { stripAsciiArt } from '../rules/companions';
import type { ProposalContext } from '../rules/facts';

/** A file as the proposer sees it: its context plus what decides whether it gets a proposal at all. */
export interface ContextFile {
  context: ProposalContext;
  contentHash: string;
  state: FileState;
  root: string;
  /** Folder relative to the root ('' at the root). */
  folder: string;
  missing: boolean;
  metadataFailure: string | null;
}

interface FileRow {
  id: string;
  root: string;
  path: string;
  name: string;
  kind: FileKind;
  size: number | string;
  content_hash: string;
  state: FileState;
  missing_since: Date | null;
  meta_status: string | null;
  meta_failure: string | null;
  artist: string | null;
  title: string | null;
  album: string | null;
  album_artist: string | null;
  track_no: number | null;
  disc_no: number | null;
  year: number | null;
  date: string | null;
  genres: string[] | null;
  label: string | null;
  duration_sec: number | null;
  codec: string | null;
  bitrate: number | null;
  lossless: boolean | null;
  bpm: number | string | null;
  key: string | null;
  camelot: string | null;
  energy: number | null;
  lufs: number | null;
}

const opt = <T>(v: T | null | undefined): T | undefined => (v === null || v === undefined ? undefined : v);

/** Path of a file relative to its library root, `/`-separated. */
export function relativeTo(root: string, path: string): string {
  const r = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(r) ? path.slice(r.length) : path.replace(/^\/+/, '');
}

/**
 * The proposer's read model over tables other stages own (files: ingest; file_metadata and companions:
 * metadata; file_analysis: analysis; same_recording_matches and mix_identifications: fingerprint). Only
 * rows about the file's current content count. Read-only.
 */
export class ProposalContextRepository {
  constructor(
    private readonly db: DataSource,
    private readonly companionChars = 3000,
  ) {}

  async load(fileIds: string[]): Promise<Map<string, ContextFile>> {
    const out = new Map<string, ContextFile>();
    if (!fileIds.length) return out;
    const rows: FileRow[] = await this.db.query(
      `SELECT f.id, f.root, f.path, f.name, f.kind, f.size, f.content_hash, f.state, f.missing_since,
              m.status AS meta_status, m.failure_reason AS meta_failure, m.artist, m.title, m.album, m.album_artist,
              m.track_no, m.disc_no, m.year, m.date, m.genres, m.label, m.duration_sec, m.codec, m.bitrate, m.lossless,
              a.bpm, a.key, a.camelot, a.energy, a.lufs
         FROM files f
         LEFT JOIN file_metadata m ON m.file_id = f.id AND m.content_hash = f.content_hash
         LEFT JOIN file_analysis a ON a.file_id = f.id AND a.content_hash = f.content_hash AND a.status = 'done'
        WHERE f.id = ANY($1::uuid[])`,
      [fileIds],
    );
    const companions = await this.companions(fileIds);
    const siblings = await this.siblings(rows);
    const tracklists = await this.tracklists(rows);
    for (const r of rows) {
      const dot = r.name.lastIndexOf('.');
      const rel = relativeTo(r.root, r.path);
      const slash = rel.lastIndexOf('/');
      const context: ProposalContext = {
        file: {
          id: r.id,
          path: rel,
          name: r.name,
          ext: dot > 0 ? r.name.slice(dot + 1) : '',
          kind: r.kind,
          sizeBytes: Number(r.size),
        },
        tags: {
          artist: opt(r.artist),
          albumArtist: opt(r.album_artist),
          title: opt(r.title),
          album: opt(r.album),
          trackNumber: opt(r.track_no),
          discNumber: opt(r.disc_no),
          year: opt(r.year),
          date: opt(r.date),
          genres: r.genres?.length ? r.genres : undefined,
          label: opt(r.label),
        },
        stream: {
          durationSec: opt(r.duration_sec),
          codec: opt(r.codec),
          bitrate: opt(r.bitrate),
          lossless: opt(r.lossless),
        },
        analysis:
          r.bpm !== null || r.key !== null
            ? {
                bpm: r.bpm === null ? undefined : Number(r.bpm),
                key: opt(r.key),
                camelot: opt(r.camelot),
                energy: opt(r.energy),
                lufs: opt(r.lufs),
              }
            : undefined,
        companions: companions.get(r.id) ?? [],
        siblings: siblings.get(r.id) ?? [],
        tracklist: tracklists.get(r.id),
      };
      dropUndefined(context.tags);
      dropUndefined(context.stream);
      if (context.analysis) dropUndefined(context.analysis);
      out.set(r.id, {
        context,
        contentHash: r.content_hash.trim(),
        state: r.state,
        root: r.root,
        folder: slash >= 0 ? rel.slice(0, slash) : '',
        missing: r.missing_since !== null,
        metadataFailure: r.meta_status === 'failed' ? (r.meta_failure ?? 'metadata could not be read') : null,
      });
    }
    return out;
  }

  /** Text companions linked to each media file, ASCII art stripped, capped per file in total. */
  private async companions(fileIds: string[]): Promise<Map<string, ProposalContext['companions']>> {
    const rows: { media_file_id: string; name: string; companion_type: string; text: string }[] = await this.db.query(
      `SELECT l.media_file_id, cf.name, c.companion_type, c.text
         FROM companion_links l
         JOIN files cf ON cf.id = l.companion_file_id AND cf.missing_since IS NULL
         JOIN companion_contents c ON c.file_id = cf.id AND c.content_hash = cf.content_hash
        WHERE l.media_file_id = ANY($1::uuid[]) AND c.text IS NOT NULL
          AND c.companion_type IN ('cue', 'nfo', 'txt')
        ORDER BY l.media_file_id, c.companion_type, cf.name`,
      [fileIds],
    );
    const out = new Map<string, ProposalContext['companions']>();
    const used = new Map<string, number>();
    for (const r of rows) {
      const left = this.companionChars - (used.get(r.media_file_id) ?? 0);
      if (left <= 0) continue;
      const text = stripAsciiArt(r.text, left);
      if (!text) continue;
      used.set(r.media_file_id, (used.get(r.media_file_id) ?? 0) + text.length);
      const list = out.get(r.media_file_id) ?? [];
      list.push({ name: r.name, kind: r.companion_type, text });
      out.set(r.media_file_id, list);
    }
    return out;
  }

  /** Files with the same recording (fingerprint) or the same content, with their tags; up to 5 per file. */
  private async siblings(files: FileRow[]): Promise<Map<string, ProposalContext['siblings']>> {
    const out = new Map<string, ProposalContext['siblings']>();
    if (!files.length) return out;
    const rows: {
      file_id: string;
      root: string;
      path: string;
      artist: string | null;
      title: string | null;
      album: string | null;
    }[] = await this.db.query(
      `WITH me AS (SELECT id, content_hash FROM files WHERE id = ANY($1::uuid[])),
            -- A pair is recorded once, by the side whose fingerprinting found it: read it from both sides.
            related AS (
              SELECT me.id AS file_id, s.other_content_hash AS hash FROM me
                JOIN same_recording_matches s ON s.content_hash = me.content_hash
              UNION
              SELECT me.id, s.content_hash FROM me
                JOIN same_recording_matches s ON s.other_content_hash = me.content_hash
              UNION
              SELECT me.id, me.content_hash FROM me)
       SELECT DISTINCT ON (r.file_id, o.id) r.file_id, o.root, o.path, m.artist, m.title, m.album
         FROM related r
         JOIN files o ON o.content_hash = r.hash AND o.id <> r.file_id AND o.missing_since IS NULL
         JOIN file_metadata m ON m.file_id = o.id AND m.content_hash = o.content_hash AND m.status = 'read'
        WHERE m.artist IS NOT NULL OR m.title IS NOT NULL
        ORDER BY r.file_id, o.id`,
      [files.map((f) => f.id)],
    );
    for (const r of rows) {
      const list = out.get(r.file_id) ?? [];
      if (list.length >= 5) continue;
      list.push({
        path: relativeTo(r.root, r.path),
        artist: opt(r.artist),
        title: opt(r.title),
        album: opt(r.album),
      });
      out.set(r.file_id, list);
    }
    return out;
  }

  /** For mixes: the newest finished identification's tracks (artist/title from a tagged copy), up to 60. */
  private async tracklists(files: FileRow[]): Promise<Map<string, NonNullable<ProposalContext['tracklist']>>> {
    const out = new Map<string, NonNullable<ProposalContext['tracklist']>>();
    const rows: { file_id: string; start_sec: number; artist: string | null; title: string | null }[] =
      await this.db.query(
        `WITH latest AS (
           SELECT DISTINCT ON (mi.file_id) mi.file_id, mi.entries FROM mix_identifications mi
             JOIN files f ON f.id = mi.file_id AND f.content_hash = mi.content_hash
            WHERE mi.file_id = ANY($1::uuid[]) AND mi.status = 'done' AND mi.entries IS NOT NULL
            ORDER BY mi.file_id, mi.requested_at DESC)
         SELECT l.file_id, (e->>'startSec')::float AS start_sec,
                (SELECT m.artist FROM file_metadata m WHERE m.content_hash = e->>'contentHash' AND m.artist IS NOT NULL LIMIT 1) AS artist,
                (SELECT m.title FROM file_metadata m WHERE m.content_hash = e->>'contentHash' AND m.title IS NOT NULL LIMIT 1) AS title
           FROM latest l, jsonb_array_elements(l.entries) e
          ORDER BY l.file_id, start_sec`,
        [files.map((f) => f.id)],
      );
    for (const r of rows) {
      const t = out.get(r.file_id) ?? { tracks: [] };
      if (t.tracks.length < 60) t.tracks.push({ artist: opt(r.artist), title: opt(r.title), startSec: r.start_sec });
      out.set(r.file_id, t);
    }
    return out;
  }
}

function dropUndefined(o: object): void {
  for (const [k, v] of Object.entries(o)) if (v === undefined) delete (o as Record<string, unknown>)[k];
}
