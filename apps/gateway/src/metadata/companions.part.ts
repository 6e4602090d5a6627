import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FileDetailPartSource } from '../repositories/file-detail-parts';
import type { FileRow } from '../repositories/file.repository';
import type { CompanionContentView, FileCompanionsView } from './metadata.schemas';

/** Companions shown per media file, and media files shown per companion (a folder-level cover may serve hundreds). */
export const COMPANIONS_SHOWN = 20;
export const LINKED_MEDIA_SHOWN = 100;
/** Characters of a companion's text shown in the file detail. */
export const COMPANION_TEXT_SHOWN = 16 * 1024;

interface ContentRow {
  companion_type: string;
  status: 'parsed' | 'failed';
  failure_reason: string | null;
  content_hash: string;
  file_hash: string;
  encoding: string | null;
  text: string | null;
  truncated: boolean;
  parsed: unknown;
}

function contentView(row: ContentRow): CompanionContentView {
  const cut = row.text !== null && row.text.length > COMPANION_TEXT_SHOWN;
  return {
    type: row.companion_type,
    status: row.status,
    failureReason: row.failure_reason,
    current: row.content_hash.trim() === row.file_hash.trim(),
    encoding: row.encoding,
    text: cut ? row.text!.slice(0, COMPANION_TEXT_SHOWN) : row.text,
    textTruncated: row.truncated || cut,
    parsed: row.parsed ?? null,
  };
}

/**
 * The `companions` part of the file detail: a read model over `companion_links` and `companion_contents`
 * (owned by metadata). A media file shows the companions that belong to it, with their parsed content; a
 * companion shows its own content and the media files it belongs to.
 */
@Injectable()
export class CompanionsPartSource implements FileDetailPartSource {
  readonly part = 'companions' as const;

  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async load(file: FileRow): Promise<FileCompanionsView> {
    return file.kind === 'companion' ? this.forCompanion(file) : this.forMedia(file);
  }

  private async forMedia(file: FileRow): Promise<FileCompanionsView> {
    const [rows, [count]] = await Promise.all([
      this.db.query(
        `SELECT l.companion_file_id, l.reason, f.path, f.name, f.content_hash AS file_hash,
                c.companion_type, c.status, c.failure_reason, c.content_hash, c.encoding, c.text, c.truncated, c.parsed
           FROM companion_links l
           JOIN files f ON f.id = l.companion_file_id AND f.missing_since IS NULL
           LEFT JOIN companion_contents c ON c.file_id = l.companion_file_id
          WHERE l.media_file_id = $1
          ORDER BY CASE l.reason WHEN 'cue-file' THEN 0 WHEN 'same-name' THEN 1 ELSE 2 END, f.path, f.id
          LIMIT $2`,
        [file.id, COMPANIONS_SHOWN],
      ) as Promise<(ContentRow & { companion_file_id: string; reason: string; path: string; name: string })[]>,
      this.db.query(
        `SELECT count(*)::int AS n FROM companion_links l JOIN files f ON f.id = l.companion_file_id AND f.missing_since IS NULL
          WHERE l.media_file_id = $1`,
        [file.id],
      ) as Promise<{ n: number }[]>,
    ]);
    return {
      companions: rows.map((r) => ({
        fileId: r.companion_file_id,
        path: r.path,
        name: r.name,
        reason: r.reason,
        content: r.companion_type === null ? null : contentView(r),
      })),
      companionsTotal: count.n,
      content: null,
      belongsTo: [],
      belongsToTotal: 0,
    };
  }

  private async forCompanion(file: FileRow): Promise<FileCompanionsView> {
    const [contents, media, [count]] = await Promise.all([
      this.db.query(
        `SELECT companion_type, status, failure_reason, content_hash, $2::text AS file_hash, encoding, text, truncated, parsed
           FROM companion_contents WHERE file_id = $1`,
        [file.id, file.content_hash],
      ) as Promise<ContentRow[]>,
      this.db.query(
        `SELECT l.media_file_id, l.reason, f.path, f.name
           FROM companion_links l JOIN files f ON f.id = l.media_file_id AND f.missing_since IS NULL
          WHERE l.companion_file_id = $1 ORDER BY f.path, f.id LIMIT $2`,
        [file.id, LINKED_MEDIA_SHOWN],
      ) as Promise<{ media_file_id: string; reason: string; path: string; name: string }[]>,
      this.db.query(
        `SELECT count(*)::int AS n FROM companion_links l JOIN files f ON f.id = l.media_file_id AND f.missing_since IS NULL
          WHERE l.companion_file_id = $1`,
        [file.id],
      ) as Promise<{ n: number }[]>,
    ]);
    return {
      companions: [],
      companionsTotal: 0,
      content: contents[0] ? contentView(contents[0]) : null,
      belongsTo: media.map((m) => ({ fileId: m.media_file_id, path: m.path, name: m.name, reason: m.reason })),
      belongsToTotal: count.n,
    };
  }
}
