import { Injectable } from '@nestjs/common';
import {
  FILE_STATES,
  PIPELINE_STAGES,
  STAGE_STATUSES,
  type PipelineStage,
  type StageStatus,
} from '@crateflow/contracts';
import {
  PipelineStatsRepository,
  type FailureRow,
  type FinishedRow,
  type PipelineCounts,
} from '../repositories/pipeline-stats.repository';
import { THROUGHPUT_WINDOWS_MINUTES, type PipelineStats } from './pipeline.schemas';

export const FAILURES_SHOWN = 20;
/** A dashboard polling every few seconds, from several tabs, should not re-aggregate a million rows each time. */
export const STATS_CACHE_MS = 2_000;

@Injectable()
export class PipelineService {
  private cached?: { at: number; stats: Promise<PipelineStats> };

  constructor(private readonly repository: PipelineStatsRepository) {}

  stats(now = Date.now()): Promise<PipelineStats> {
    if (this.cached && now - this.cached.at < STATS_CACHE_MS) return this.cached.stats;
    const stats = this.compute();
    this.cached = { at: now, stats };
    // A failed computation is not cached.
    stats.catch(() => {
      if (this.cached?.stats === stats) this.cached = undefined;
    });
    return stats;
  }

  private async compute(): Promise<PipelineStats> {
    const [counts, failures, finished] = await Promise.all([
      this.repository.counts(),
      this.repository.recentFailures(FAILURES_SHOWN),
      this.repository.finishedWithin(THROUGHPUT_WINDOWS_MINUTES),
    ]);
    return buildStats(counts, failures, finished, new Date());
  }
}

/** Shapes the aggregates into the API view (pure; every state, stage and status present, zero when absent). */
export function buildStats(
  counts: PipelineCounts,
  failures: FailureRow[],
  finished: FinishedRow[],
  generatedAt: Date,
): PipelineStats {
  const byState = Object.fromEntries(FILE_STATES.map((s) => [s, 0])) as PipelineStats['files']['byState'];
  for (const row of counts.byState) if (row.state in byState) byState[row.state] += row.files;

  const stages = Object.fromEntries(
    PIPELINE_STAGES.map((stage) => [stage, Object.fromEntries(STAGE_STATUSES.map((s) => [s, 0]))]),
  ) as Record<PipelineStage, Record<StageStatus, number>>;
  const recorded = Object.fromEntries(PIPELINE_STAGES.map((s) => [s, 0])) as Record<PipelineStage, number>;
  for (const row of counts.byStageStatus) {
    if (!stages[row.stage] || !(row.status in stages[row.stage])) continue;
    stages[row.stage][row.status] += row.files;
    if (row.status !== 'pending') recorded[row.stage] += row.files;
  }
  // Files a stage has no record of yet are pending for it; the executor's copies never go through the stages.
  for (const stage of PIPELINE_STAGES)
    stages[stage].pending = Math.max(0, counts.total - counts.copies - recorded[stage]);

  const throughput = THROUGHPUT_WINDOWS_MINUTES.map((windowMinutes, i) => {
    const byStage = Object.fromEntries(PIPELINE_STAGES.map((s) => [s, 0])) as Record<PipelineStage, number>;
    for (const row of finished) if (row.stage in byStage) byStage[row.stage] += row.finished[i] ?? 0;
    const total = Object.values(byStage).reduce((a, b) => a + b, 0);
    return { windowMinutes, finished: total, perMinute: Math.round((total / windowMinutes) * 100) / 100, byStage };
  });

  return {
    generatedAt: generatedAt.toISOString(),
    files: { total: counts.total, missing: counts.missing, copies: counts.copies, byState },
    stages,
    failures: failures.map((f) => ({
      fileId: f.file_id,
      path: f.path,
      stage: f.stage,
      reason: f.reason,
      attempts: f.attempts,
      at: f.updated_at.toISOString(),
    })),
    throughput,
  };
}
