import {
  OUTCOME_STATUS,
  restoredState,
  transitionFor,
  type LifecycleTrigger,
  type PayloadOf,
  type Subjects,
  type PipelineStage,
  type ProposalDecision,
  type StageOutcome,
} from '@crateflow/contracts';
import type { LifecycleRepository } from '../repositories/lifecycle.repository';

/**
 * Follows every file event and keeps the lifecycle: per-stage statuses, the file's state (advanced by
 * the one transition table in contracts) and its history. Stages never write these themselves, so each
 * table keeps one writer and a stage that fails or skips still moves the file on.
 */
export type FileRelocated = PayloadOf<typeof Subjects.fileRelocated>;

export class LifecycleService {
  constructor(private readonly repo: LifecycleRepository) {}

  /**
   * The executor moved (or moved back) a file: the row keeps its identity and takes the new path, size and
   * mtime, so the next scan finds it unchanged at its new place. A copy or hard link into the output root
   * is recorded in the file's history (the copy itself is the executor's, in its journal and relink map).
   */
  async fileRelocated(p: FileRelocated): Promise<void> {
    await this.repo.transaction(async (tx) => {
      if (!(await tx.fileExists(p.fileId))) return;
      const pathKey = Buffer.from(p.pathKey, 'base64');
      const detail = { executionId: p.executionId, operationId: p.operationId, path: p.path };
      if (p.action === 'moved' || p.action === 'restored') {
        const moved = await tx.relocate(p.fileId, p.contentHash, pathKey, p.size, p.mtimeMs);
        if (!moved)
          return tx.history(p.fileId, `execution.${p.action}.not-recorded`, null, null, {
            ...detail,
            reason: 'another file is recorded at that path, or the content changed',
          });
      }
      const trigger = p.action === 'restored' || p.action === 'unpublished' ? 'execution-undone' : 'executed';
      const t = transitionFor({ kind: trigger });
      const from = await tx.transition(p.fileId, t, p.contentHash);
      await tx.history(p.fileId, `execution.${p.action}`, from, from ? t.to : null, detail);
    });
  }

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

  /**
   * The resolution was undone: the file goes back to the state it had before, moved forward by the stages
   * that finished meanwhile, and never to a proposal state without a proposal.
   */
  async duplicateUnresolved(fileId: string, contentHash: string, resolutionId: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const facts = await tx.restoreFacts(fileId, contentHash, resolutionId);
      const trigger: LifecycleTrigger = { kind: 'duplicate-unresolved', restore: restoredState(facts) };
      await this.apply(tx, fileId, contentHash, trigger, 'duplicate-unresolved', { resolutionId });
    });
  }

  /**
   * A person's decision about a proposal (published by the gateway after it stored it): approved → APPROVED,
   * rejected → REJECTED, pending again (undo, edit) → PROPOSAL_GENERATED. Guarded by the content hash.
   */
  async proposalDecided(
    fileId: string,
    contentHash: string,
    action: string,
    decision: ProposalDecision,
    proposalId: string,
    version: number,
  ): Promise<void> {
    const trigger: LifecycleTrigger =
      decision === 'approved'
        ? { kind: 'approved' }
        : decision === 'rejected'
          ? { kind: 'rejected' }
          : { kind: 'proposal-reopened' };
    await this.repo.transaction((tx) =>
      this.apply(tx, fileId, contentHash, trigger, `proposal.${action}`, { proposalId, version, decision }),
    );
  }

  private async decide(
    fileId: string,
    contentHash: string,
    kind: 'duplicate-resolved',
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.repo.transaction((tx) => this.apply(tx, fileId, contentHash, { kind }, kind, detail));
  }

  private async apply(
    tx: Parameters<Parameters<LifecycleRepository['transaction']>[0]>[0],
    fileId: string,
    contentHash: string,
    trigger: LifecycleTrigger,
    event: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const t = transitionFor(trigger);
    const from = await tx.transition(fileId, t, contentHash);
    // A repeated or stale decision changes nothing and leaves no history entry.
    if (from) await tx.history(fileId, event, from, t.to, detail);
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
