import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FileState, PipelineStage, StageStatus } from '@crateflow/contracts';

export interface PipelineCounts {
  total: number;
  missing: number;
  /** Copies the executor made (copy and hardlink modes): they take their original's results, no stage runs. */
  copies: number;
  byState: { state: FileState; files: number }[];
  byStageStatus: { stage: PipelineStage; status: StageStatus; files: number }[];
}

export interface FailureRow {
  file_id: string;
  path: string;
  stage: PipelineStage;
  reason: string | null;
  attempts: number;
  updated_at: Date;
}

export interface FinishedRow {
  stage: PipelineStage;
  /** Stage results recorded in each window, in the order of the windows asked for. */
  finished: number[];
}

/** Aggregates over files and file_stage_statuses for the pipeline dashboard (read-only). */
@Injectable()
export class PipelineStatsRepository {
  constructor(@Inject('DataSource') private readonly db: DataSource) {}

  async counts(): Promise<PipelineCounts> {
    const [byState, byStageStatus] = await Promise.all([
      this.db.query(
        `SELECT state, count(*)::int AS files, count(missing_since)::int AS missing,
                count(copied_from_file_id)::int AS copies
           FROM files GROUP BY state`,
      ) as Promise<{ state: FileState; files: number; missing: number; copies: number }[]>,
      this.db.query(
        `SELECT stage, status, count(*)::int AS files FROM file_stage_statuses GROUP BY stage, status`,
      ) as Promise<{ stage: PipelineStage; status: StageStatus; files: number }[]>,
    ]);
    return {
      total: byState.reduce((n, r) => n + r.files, 0),
      missing: byState.reduce((n, r) => n + r.missing, 0),
      copies: byState.reduce((n, r) => n + r.copies, 0),
      byState: byState.map(({ state, files }) => ({ state, files })),
      byStageStatus,
    };
  }

  /** The most recent failures, with the reason the stage gave; served by the (stage, status) index. */
  recentFailures(limit: number): Promise<FailureRow[]> {
    return this.db.query(
      `SELECT s.file_id, f.path, s.stage, s.reason, s.attempts, s.updated_at
         FROM file_stage_statuses s JOIN files f ON f.id = s.file_id
        WHERE s.status = 'failed'
        ORDER BY s.updated_at DESC, s.file_id LIMIT $1`,
      [limit],
    );
  }

  /** Stage results (done, skipped, failed) recorded per stage within each of the given windows. */
  async finishedWithin(windowsMinutes: readonly number[]): Promise<FinishedRow[]> {
    const longest = Math.max(...windowsMinutes);
    const columns = windowsMinutes
      .map((m, i) => `count(*) FILTER (WHERE updated_at > now() - make_interval(mins => $${i + 2}))::int AS w${i}`)
      .join(', ');
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT stage, ${columns} FROM file_stage_statuses
        WHERE status IN ('done', 'skipped', 'failed') AND updated_at > now() - make_interval(mins => $1)
        GROUP BY stage`,
      [longest, ...windowsMinutes],
    );
    return rows.map((r) => ({
      stage: r.stage as PipelineStage,
      finished: windowsMinutes.map((_, i) => Number(r[`w${i}`])),
    }));
  }
}
