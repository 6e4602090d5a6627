import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FileKind } from '@crateflow/contracts';

export interface MixCandidateRow {
  id: string;
  name: string;
  kind: FileKind;
  missing: boolean;
  artist: string | null;
  title: string | null;
}

/** Which files can be identified as mixes: reads `files` (ingest) and `file_metadata` (metadata). */
@Injectable()
export class MixCandidateRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async byIds(ids: readonly string[]): Promise<MixCandidateRow[]> {
    if (ids.length === 0) return [];
    return this.db.query(
      `SELECT f.id, f.name, f.kind, f.missing_since IS NOT NULL AS missing, m.artist, m.title
         FROM files f LEFT JOIN file_metadata m ON m.file_id = f.id AND m.content_hash = f.content_hash AND m.status = 'read'
        WHERE f.id = ANY($1::uuid[])`,
      [[...new Set(ids)]],
    );
  }

  /** Present music and video files at least this long (per their stream facts), longest first. */
  async longerThan(minDurationSec: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT f.id FROM files f JOIN file_metadata m ON m.file_id = f.id AND m.content_hash = f.content_hash
        WHERE f.missing_since IS NULL AND f.kind IN ('music', 'video') AND m.duration_sec >= $1
        ORDER BY m.duration_sec DESC, f.id LIMIT $2`,
      [minDurationSec, limit],
    );
    return rows.map((r) => r.id);
  }
}
