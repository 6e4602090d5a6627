import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PIPELINE_STAGES, stageSubject, Subjects, type PipelineStage, type StageOutcome } from '@crateflow/contracts';
import { EventBusRepository } from '../repositories/event-bus.repository';
import { FailedStagesRepository, type FailedFile } from './failed-stages.repository';
import { MAX_RETRIES_PER_REQUEST, type RetryAccepted, type RetryBody } from './retries.schemas';

const OUTCOME_OF: Partial<Record<string, StageOutcome>> = { done: 'completed', skipped: 'skipped', failed: 'failed' };

/**
 * Sends files a stage failed through it again, by announcing again what triggers that stage: the previous
 * stage's recorded outcome (the stage's consumer picks it up; ingest records the same outcome again, which
 * changes nothing), or for the first stage the file's ingestion as changed content (the whole chain runs
 * again for it). Message ids are new per request, so a retry is never taken for a duplicate.
 */
@Injectable()
export class RetriesService {
  constructor(
    private readonly failedStages: FailedStagesRepository,
    private readonly bus: EventBusRepository,
  ) {}

  async retry(body: RetryBody): Promise<RetryAccepted> {
    const index = PIPELINE_STAGES.indexOf(body.stage);
    const previous = index > 0 ? PIPELINE_STAGES[index - 1] : null;
    const rows = await this.failedStages.failed(body.stage, previous, body.fileIds, MAX_RETRIES_PER_REQUEST + 1);
    const batch = rows.slice(0, MAX_RETRIES_PER_REQUEST);
    const request = randomUUID();
    let requested = 0;
    for (const row of batch) {
      if (await this.announce(row, body.stage, previous, request)) requested++;
    }
    return { stage: body.stage, requested, more: rows.length > MAX_RETRIES_PER_REQUEST };
  }

  private async announce(row: FailedFile, stage: PipelineStage, previous: PipelineStage | null, request: string) {
    const contentHash = row.content_hash.trim();
    const msgId = `retry:${request}:${row.file_id}:${stage}`;
    if (previous === null) {
      if (row.kind === 'companion') return false;
      await this.bus.announce(
        Subjects.fileChanged,
        { fileId: row.file_id, scanId: row.last_seen_scan_id, contentHash, kind: row.kind },
        msgId,
      );
      return true;
    }
    const outcome = row.previous_status ? OUTCOME_OF[row.previous_status] : undefined;
    // Without a finished previous stage the failure cannot be retried from here (it was never triggered).
    if (!outcome) return false;
    await this.bus.announce(
      stageSubject(previous, outcome),
      {
        fileId: row.file_id,
        contentHash,
        stage: previous,
        outcome,
        ...(row.previous_reason ? { reason: row.previous_reason } : {}),
      },
      msgId,
    );
    return true;
  }
}
