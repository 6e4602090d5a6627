import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { ANALYSIS_VERSION } from '@crateflow/analysis';
import type { FileDetailPartSource } from '../repositories/file-detail-parts';
import type { FileRow } from '../repositories/file.repository';
import type { FileAnalysisView } from './analysis.schemas';

export interface FileAnalysisRow {
  content_hash: string;
  analysis_version: number;
  status: 'done' | 'failed';
  failure_reason: string | null;
  /** numeric, as pg returns it. */
  bpm: string | null;
  camelot: string | null;
  key: string | null;
  lufs: number | null;
  energy: number | null;
  tags_disagree: boolean;
  result: Record<string, unknown> | null;
  analysed_at: Date;
}

type StoredTags = { disagreement?: boolean; bpm?: unknown; key?: unknown } | undefined;

export function analysisView(row: FileAnalysisRow, currentHash: string): FileAnalysisView {
  const tags = row.result?.tags as StoredTags;
  return {
    current: row.content_hash.trim() === currentHash.trim() && row.analysis_version === ANALYSIS_VERSION,
    status: row.status,
    failureReason: row.failure_reason,
    analysisVersion: row.analysis_version,
    analysedAt: row.analysed_at.toISOString(),
    bpm: row.bpm === null ? null : Number(row.bpm),
    camelot: row.camelot,
    key: row.key,
    lufs: row.lufs,
    energy: row.energy,
    tags: tags
      ? {
          disagreement: row.tags_disagree,
          bpm: (tags.bpm as NonNullable<FileAnalysisView['tags']>['bpm']) ?? null,
          key: (tags.key as NonNullable<FileAnalysisView['tags']>['key']) ?? null,
        }
      : null,
    result: row.result,
  };
}

/** The `analysis` part of the file detail: a read model over `file_analysis` (owned by analysis). */
@Injectable()
export class AnalysisPartSource implements FileDetailPartSource {
  readonly part = 'analysis' as const;

  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async load(file: FileRow): Promise<FileAnalysisView | null> {
    if (file.kind === 'companion') return null;
    const rows: FileAnalysisRow[] = await this.db.query(
      `SELECT content_hash, analysis_version, status, failure_reason, bpm, camelot, key, lufs, energy, tags_disagree,
              result, analysed_at
         FROM file_analysis WHERE file_id = $1`,
      [file.id],
    );
    return rows[0] ? analysisView(rows[0], file.content_hash) : null;
  }
}
