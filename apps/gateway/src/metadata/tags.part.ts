import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FileDetailPartSource } from '../repositories/file-detail-parts';
import type { FileRow } from '../repositories/file.repository';
import type { FileTagsView } from './metadata.schemas';

export interface FileMetadataRow {
  file_id: string;
  content_hash: string;
  status: 'read' | 'failed';
  failure_kind: string | null;
  failure_reason: string | null;
  artist: string | null;
  title: string | null;
  album: string | null;
  album_artist: string | null;
  track_no: number | null;
  track_of: number | null;
  disc_no: number | null;
  disc_of: number | null;
  year: number | null;
  date: string | null;
  genre: string | null;
  label: string | null;
  comment: string | null;
  isrc: string | null;
  /** numeric, as pg returns it. */
  bpm_tag: string | null;
  key_tag: string | null;
  duration_sec: number | null;
  bitrate: number | null;
  sample_rate: number | null;
  channels: number | null;
  bits_per_sample: number | null;
  codec: string | null;
  container: string | null;
  lossless: boolean | null;
  has_cover: boolean | null;
  artists: string[];
  genres: string[];
  tag_types: string[];
  stream: Record<string, unknown> | null;
  raw?: unknown;
  warnings: string[];
  read_at: Date;
}

/** Every column but the raw dump, which only the file detail shows. */
export const FILE_METADATA_COLUMNS = `m.file_id, m.content_hash, m.status, m.failure_kind, m.failure_reason, m.artist, m.title,
  m.album, m.album_artist, m.track_no, m.track_of, m.disc_no, m.disc_of, m.year, m.date, m.genre, m.label, m.comment, m.isrc,
  m.bpm_tag, m.key_tag, m.duration_sec, m.bitrate, m.sample_rate, m.channels, m.bits_per_sample, m.codec, m.container,
  m.lossless, m.has_cover, m.artists, m.genres, m.tag_types, m.stream, m.warnings, m.read_at`;

export function tagsView(row: FileMetadataRow, currentHash: string): FileTagsView {
  return {
    current: row.content_hash.trim() === currentHash.trim(),
    status: row.status,
    failure: row.status === 'failed' ? { kind: row.failure_kind ?? 'error', reason: row.failure_reason ?? '' } : null,
    readAt: row.read_at.toISOString(),
    artist: row.artist,
    artists: row.artists ?? [],
    title: row.title,
    album: row.album,
    albumArtist: row.album_artist,
    track: { no: row.track_no, of: row.track_of },
    disc: { no: row.disc_no, of: row.disc_of },
    year: row.year,
    date: row.date,
    genre: row.genre,
    genres: row.genres ?? [],
    label: row.label,
    comment: row.comment,
    isrc: row.isrc,
    bpm: row.bpm_tag === null ? null : Number(row.bpm_tag),
    key: row.key_tag,
    tagTypes: row.tag_types ?? [],
    stream: {
      durationSec: row.duration_sec,
      bitrate: row.bitrate,
      sampleRate: row.sample_rate,
      channels: row.channels,
      bitsPerSample: row.bits_per_sample,
      codec: row.codec,
      container: row.container,
      lossless: row.lossless,
      hasCover: row.has_cover,
      details: row.stream,
    },
    warnings: row.warnings ?? [],
    raw: row.raw ?? null,
  };
}

/** The `tags` part of the file detail: a read model over `file_metadata` (owned by metadata). */
@Injectable()
export class TagsPartSource implements FileDetailPartSource {
  readonly part = 'tags' as const;

  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async load(file: FileRow): Promise<FileTagsView | null> {
    if (file.kind === 'companion') return null;
    const rows: FileMetadataRow[] = await this.db.query(
      `SELECT ${FILE_METADATA_COLUMNS}, m.raw FROM file_metadata m WHERE m.file_id = $1`,
      [file.id],
    );
    return rows[0] ? tagsView(rows[0], file.content_hash) : null;
  }
}
