import type { DataSource } from 'typeorm';
import type { TagReadResult } from '../tags';

export interface MetadataFailure {
  /** empty, not-media, truncated, corrupt, too-large, timeout, unreadable, or `error` for anything else. */
  kind: string;
  reason: string;
}

const COLUMNS = [
  'file_id',
  'content_hash',
  'status',
  'failure_kind',
  'failure_reason',
  'artist',
  'title',
  'album',
  'album_artist',
  'track_no',
  'track_of',
  'disc_no',
  'disc_of',
  'year',
  'date',
  'genre',
  'label',
  'comment',
  'isrc',
  'bpm_tag',
  'key_tag',
  'duration_sec',
  'bitrate',
  'sample_rate',
  'channels',
  'bits_per_sample',
  'codec',
  'container',
  'lossless',
  'has_cover',
  'artists',
  'genres',
  'tag_types',
  'stream',
  'raw',
  'warnings',
] as const;

const UPSERT = `INSERT INTO file_metadata (${COLUMNS.join(', ')})
  VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (file_id) DO UPDATE SET ${COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}, read_at = now()`;

/** Postgres cannot store NUL in text or jsonb; the reader already strips it from tag text, this covers the rest. */
function json(value: unknown): string {
  return JSON.stringify(value).replace(/\\u0000/g, '');
}

/** A value for an int column: whole and within range, else null (a tag never breaks the insert). */
function int(n: number | null | undefined, max = 2_147_483_647): number | null {
  return typeof n === 'number' && Number.isFinite(n) && Number.isInteger(n) && Math.abs(n) <= max ? n : null;
}

/** `file_metadata`, written only by the metadata stage. One row per file, replaced for new content. */
export class FileMetadataRepository {
  constructor(private readonly db: DataSource) {}

  /** Stores what was read. Idempotent: a redelivered message writes the same row again. */
  async saveRead(fileId: string, contentHash: string, r: TagReadResult): Promise<void> {
    const t = r.tags;
    const s = r.stream;
    const { containerName, durationEstimated, hasAudio, hasVideo, video, codecProfile } = s;
    const values: Record<(typeof COLUMNS)[number], unknown> = {
      file_id: fileId,
      content_hash: contentHash,
      status: 'read',
      failure_kind: null,
      failure_reason: null,
      artist: t.artist,
      title: t.title,
      album: t.album,
      album_artist: t.albumArtist,
      track_no: int(t.trackNo),
      track_of: int(t.trackOf),
      disc_no: int(t.discNo),
      disc_of: int(t.discOf),
      year: int(t.year),
      date: t.date,
      genre: t.genres[0] ?? null,
      label: t.label,
      comment: t.comment,
      isrc: t.isrc,
      bpm_tag: t.bpm !== null && t.bpm > 0 && t.bpm < 10_000 ? t.bpm : null,
      key_tag: t.initialKey,
      duration_sec: s.durationSec !== null && Number.isFinite(s.durationSec) ? s.durationSec : null,
      bitrate: int(s.bitrate),
      sample_rate: int(s.sampleRate),
      channels: int(s.channels, 32_767),
      bits_per_sample: int(s.bitsPerSample, 32_767),
      codec: s.codec,
      container: r.container,
      lossless: s.lossless,
      has_cover: r.hasCoverArt,
      artists: json(t.artists),
      genres: json(t.genres),
      tag_types: json(r.tagTypes),
      stream: json({
        containerName,
        codecProfile,
        durationEstimated,
        hasAudio,
        hasVideo,
        video,
        extensionMismatch: r.extensionMismatch,
      }),
      raw: json(r.raw),
      warnings: json(r.warnings),
    };
    await this.db.query(
      UPSERT,
      COLUMNS.map((c) => values[c]),
    );
  }

  /**
   * Records why the file could not be read. With `keepExisting`, a row already written for the same
   * content stays (the stage's own, more precise record wins over a generic one).
   */
  async saveFailure(
    fileId: string,
    contentHash: string,
    failure: MetadataFailure,
    options: { keepExisting?: boolean } = {},
  ): Promise<void> {
    const values = COLUMNS.map((c) => {
      switch (c) {
        case 'file_id':
          return fileId;
        case 'content_hash':
          return contentHash;
        case 'status':
          return 'failed';
        case 'failure_kind':
          return failure.kind;
        case 'failure_reason':
          return failure.reason.replace(/\0/g, '').slice(0, 2000);
        case 'artists':
        case 'genres':
        case 'tag_types':
        case 'warnings':
          return '[]';
        default:
          return null;
      }
    });
    const guard = options.keepExisting ? ' WHERE file_metadata.content_hash <> excluded.content_hash' : '';
    await this.db.query(UPSERT + guard, values);
  }
}
