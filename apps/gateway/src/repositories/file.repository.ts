import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FileKind, FileState, PipelineStage, StageStatus } from '@crateflow/contracts';

export interface FileRow {
  id: string;
  root: string;
  path: string;
  name: string;
  kind: FileKind;
  /** bigint, as pg returns it. */
  size: string;
  mtime_ms: number;
  content_hash: string;
  state: FileState;
  missing_since: Date | null;
  path_is_utf8: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface FileFilter {
  state?: FileState;
  kind?: FileKind;
  stage?: { stage: PipelineStage; status: StageStatus };
  missing?: boolean;
  /** Text the path contains, matched case-insensitively (the pg_trgm index serves it). */
  text?: string;
  /** Measured tempo range (inclusive), from the analysis of the file's current content. */
  bpm?: { min?: number; max?: number };
  /** Measured key is one of these Camelot codes. */
  camelot?: string[];
}

const COLUMNS = `f.id, f.root, f.path, f.name, f.kind, f.size, f.mtime_ms, f.content_hash, f.state,
  f.missing_since, f.path_is_utf8, f.created_at, f.updated_at`;

/** Escapes LIKE's wildcards so the text filter matches the characters the person typed. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Read model over `files` (owned by ingest). Lists walk the (path, id) index from the keyset onwards
 * and stop after `limit` rows: no OFFSET and no count, so page 10,000 costs what page 1 costs.
 */
@Injectable()
export class FileReadRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async findById(id: string): Promise<FileRow | null> {
    const rows: FileRow[] = await this.db.query(`SELECT ${COLUMNS} FROM files f WHERE f.id = $1`, [id]);
    return rows[0] ?? null;
  }

  list(filter: FileFilter, after: readonly [string, string] | undefined, limit: number): Promise<FileRow[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (filter.state) where.push(`f.state = ${param(filter.state)}`);
    if (filter.kind) where.push(`f.kind = ${param(filter.kind)}`);
    if (filter.missing !== undefined)
      where.push(filter.missing ? 'f.missing_since IS NOT NULL' : 'f.missing_since IS NULL');
    if (filter.text) where.push(`f.path ILIKE ${param(likeContains(filter.text))}`);
    if (filter.stage) {
      const stage = param(filter.stage.stage);
      if (filter.stage.status === 'pending') {
        // A stage that has not recorded a file yet has it pending too.
        where.push(`NOT EXISTS (SELECT 1 FROM file_stage_statuses s
          WHERE s.file_id = f.id AND s.stage = ${stage} AND s.status <> 'pending')`);
      } else {
        where.push(`EXISTS (SELECT 1 FROM file_stage_statuses s
          WHERE s.file_id = f.id AND s.stage = ${stage} AND s.status = ${param(filter.stage.status)})`);
      }
    }
    if (filter.bpm || filter.camelot) {
      // Read from file_analysis (owned by analysis); a result for older content does not describe the file.
      const analysed = ['a.file_id = f.id', 'a.content_hash = f.content_hash', "a.status = 'done'"];
      if (filter.bpm?.min !== undefined) analysed.push(`a.bpm >= ${param(filter.bpm.min)}`);
      if (filter.bpm?.max !== undefined) analysed.push(`a.bpm <= ${param(filter.bpm.max)}`);
      if (filter.camelot) analysed.push(`a.camelot = ANY(${param(filter.camelot)}::text[])`);
      where.push(`EXISTS (SELECT 1 FROM file_analysis a WHERE ${analysed.join(' AND ')})`);
    }
    if (after) where.push(`(f.path, f.id) > (${param(after[0])}, ${param(after[1])}::uuid)`);
    const sql = `SELECT ${COLUMNS} FROM files f
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY f.path, f.id LIMIT ${param(limit)}`;
    return this.db.query(sql, params);
  }
}
