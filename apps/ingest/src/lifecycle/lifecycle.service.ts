import { OUTCOME_STATUS, transitionFor, type PipelineStage, type StageOutcome } from '@crateflow/contracts';
import type { LifecycleRepository } from '../repositories/lifecycle.repository';

/**
 * Follows every file event and keeps the lifecycle: per-stage statuses, the file's state (advanced by
 * the one transition table in contracts) and its history. Stages never write these themselves, so each
 * table keeps one writer and a stage that fails or skips still moves the file on.
 */
export class LifecycleService {
  constructor(private readonly repo: LifecycleRepository) {}

  async fileIngested(change: 'new' | 'changed', fileId: string, contentHash: string, scanId: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      if (!(await tx.fileExists(fileId))) return;
      await tx.resetStages(fileId, contentHash);
      if (change === 'changed') {
        const from = await tx.transition(fileId, transitionFor({ kind: 'changed' }), contentHash);
        await tx.history(fileId, 'changed', from, 'DISCOVERED', { scanId, contentHash });
      } else {
        await tx.history(fileId, 'discovered', null, 'DISCOVERED', { scanId, contentHash });
      }
    });
  }

  async fileMissing(fileId: string, scanId: string): Promise<void> {
    await this.repo.transaction((tx) => tx.history(fileId, 'missing', null, null, { scanId }));
  }

  /**
   * A person resolved a duplicate group and this file is not the canonical copy: DUPLICATE_RESOLVED, unless
   * the file was executed meanwhile or its content changed since the decision (then the decision is stale).
   */
  async duplicateResolved(
    fileId: string,
    contentHash: string,
    resolutionId: string,
    canonicalFileId: string,
  ): Promise<void> {
    await this.decide(fileId, contentHash, 'duplicate-resolved', { resolutionId, canonicalFileId });
  }

  /** The resolution was undone: the file goes back to where the automatic chain ends. */
  async duplicateUnresolved(fileId: string, contentHash: string, resolutionId: string): Promise<void> {
    await this.decide(fileId, contentHash, 'duplicate-unresolved', { resolutionId });
  }

  private async decide(
    fileId: string,
    contentHash: string,
    kind: 'duplicate-resolved' | 'duplicate-unresolved',
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const t = transitionFor({ kind });
      const from = await tx.transition(fileId, t, contentHash);
      // A repeated or stale decision changes nothing and leaves no history entry.
      if (from) await tx.history(fileId, kind, from, t.to, detail);
    });
  }

  async stageStarted(fileId: string, contentHash: string, stage: PipelineStage): Promise<void> {
    await this.repo.transaction((tx) => tx.setStageStatus(fileId, contentHash, stage, 'running').then(() => undefined));
  }

  async stageFinished(
    fileId: string,
    contentHash: string,
    stage: PipelineStage,
    outcome: StageOutcome,
    reason?: string,
  ): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const current = await tx.setStageStatus(fileId, contentHash, stage, OUTCOME_STATUS[outcome], reason);
      if (!current) return; // the file's content changed since: this outcome is about old content
      const t = transitionFor({ kind: 'stage', stage, outcome });
      const from = await tx.transition(fileId, t, contentHash);
      await tx.history(fileId, `${stage}.${outcome}`, from, from ? t.to : null, reason ? { reason } : undefined);
    });
  }
}
