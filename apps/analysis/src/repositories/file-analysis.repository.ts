import type { DataSource } from 'typeorm';
import type { AnalysisResult } from '@crateflow/analysis';

const UPSERT_COLUMNS = [
  'file_id',
  'content_hash',
  'analysis_version',
  'status',
  'failure_reason',
  'bpm',
  'camelot',
  'key',
  'lufs',
  'energy',
  'tags_disagree',
  'result',
] as const;

const UPSERT = `INSERT INTO file_analysis (${UPSERT_COLUMNS.join(', ')})
  VALUES (${UPSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (file_id) DO UPDATE SET ${UPSERT_COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}, analysed_at = now()`;

export interface StoredAnalysis {
  contentHash: string;
  analysisVersion: number;
  status: 'done' | 'failed';
}

/** A finite number, or null (a NaN never reaches a numeric column). */
function finite(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** `file_analysis`, written only by the analysis stage. One row per file, replaced for new content. */
export class FileAnalysisRepository {
  constructor(private readonly db: DataSource) {}

  async find(fileId: string): Promise<StoredAnalysis | null> {
    const rows: { content_hash: string; analysis_version: number; status: 'done' | 'failed' }[] = await this.db.query(
      `SELECT content_hash, analysis_version, status FROM file_analysis WHERE file_id = $1`,
      [fileId],
    );
    return rows[0]
      ? { contentHash: rows[0].content_hash.trim(), analysisVersion: rows[0].analysis_version, status: rows[0].status }
      : null;
  }

  /** Stores a result. Idempotent: a redelivered message writes the same row again. */
  async saveResult(fileId: string, contentHash: string, r: AnalysisResult): Promise<void> {
    const bpm = r.bpm.measurable ? finite(r.bpm.bpm) : null;
    await this.db.query(UPSERT, [
      fileId,
      contentHash,
      r.analysisVersion,
      'done',
      null,
      bpm !== null && bpm > 0 && bpm < 10_000 ? bpm : null,
      r.key.measurable ? r.key.camelot : null,
      r.key.measurable ? r.key.name : null,
      r.loudness.measurable ? finite(r.loudness.integratedLufs) : null,
      r.energy.measurable ? r.energy.rating : null,
      r.tags?.disagreement ?? false,
      // Postgres cannot store NUL in jsonb; the result is numbers and our own words, this is belt and braces.
      JSON.stringify(r).replace(/\\u0000/g, ''),
    ]);
  }

  /**
   * Records why a file could not be analysed. With `keepExisting`, a failure the stage already recorded
   * for this content (its own, better worded reason) is kept.
   */
  async saveFailure(
    fileId: string,
    contentHash: string,
    analysisVersion: number,
    reason: string,
    options: { keepExisting?: boolean } = {},
  ): Promise<void> {
    const values = [fileId, contentHash, analysisVersion, 'failed', reason, null, null, null, null, null, false, null];
    if (!options.keepExisting) {
      await this.db.query(UPSERT, values);
      return;
    }
    await this.db.query(
      `${UPSERT} WHERE file_analysis.content_hash <> excluded.content_hash OR file_analysis.status <> 'failed'`,
      values,
    );
  }
}
