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
import type { LifecycleRepository, LifecycleTx } from '../repositories/lifecycle.repository';

/**
 * Follows every file event and keeps the lifecycle: per-stage statuses, the file's state (advanced by
 * the one transition table in contracts) and its history. Stages never write these themselves, so each
 * table keeps one writer and a stage that fails or skips still moves the file on.
 *
 * Delivery is at least once, in any order. Every event names the file's round (its generation):
 * - a `discovered`/`changed` event enters its round once; a repeat of it, or of an older round, changes nothing;
 * - a stage outcome of the round the file is in is recorded once (a repeat finds the status already set);
 *   one of an older round is stale and ignored; one of a round not entered yet (it overtook the `changed`
 *   event) is kept with its round, and applied (state and history) when the round is entered, after the
 *   reset, so it is neither lost nor undone.
 */
export type FileRelocated = PayloadOf<typeof Subjects.fileRelocated>;

export class LifecycleService {
  constructor(private readonly repo: LifecycleRepository) {}

  /**
   * The executor moved (or moved back) a file: the row keeps its identity and takes the new path, size and
   * mtime, so the next scan finds it unchanged at its new place. A copy or hard link into the output root
   * becomes a row of its own linked to its source (see recordCopy), and goes again when an undo removes it;
   * the source's history records both.
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
      if ((p.action === 'copied' || p.action === 'linked') && p.copyFileId) {
        const recorded = await tx.recordCopy({
          copyId: p.copyFileId,
          sourceId: p.fileId,
          executionId: p.executionId,
          root: p.copyRoot ?? p.path.slice(0, Math.max(1, p.path.lastIndexOf('/'))),
          pathKey,
          size: p.size,
          mtimeMs: p.mtimeMs,
          contentHash: p.contentHash,
          state: transitionFor({ kind: 'executed' }).to,
        });
        if (recorded === 'created')
          await tx.history(p.copyFileId, `execution.${p.action}`, null, transitionFor({ kind: 'executed' }).to, {
            ...detail,
            copiedFromFileId: p.fileId,
          });
      }
      if (p.action === 'unpublished' && p.copyFileId) await tx.removeCopy(p.copyFileId, p.fileId, p.executionId);
      const trigger = p.action === 'restored' || p.action === 'unpublished' ? 'execution-undone' : 'executed';
      const t = transitionFor({ kind: trigger });
      const from = await tx.transition(p.fileId, t, p.contentHash);
      await tx.history(p.fileId, `execution.${p.action}`, from, from ? t.to : null, detail);
    });
  }

  async fileIngested(
    change: 'new' | 'changed',
    fileId: string,
    contentHash: string,
    scanId: string,
    generation?: number,
  ): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const round = await tx.enterRound(fileId, contentHash, generation);
      if (!round) return; // unknown file, a repeat, or an older round than the file is in
      await tx.resetStages(fileId, contentHash, round);
      await tx.refreshAnalysisFacts(fileId); // new content: the old analysis no longer describes the file
      if (change === 'changed') {
        const from = await tx.transition(fileId, transitionFor({ kind: 'changed' }), contentHash);
        await tx.history(fileId, 'changed', from, 'DISCOVERED', { scanId, contentHash, generation: round });
      } else {
        await tx.history(fileId, 'discovered', null, 'DISCOVERED', { scanId, contentHash, generation: round });
      }
      // Outcomes of this round that arrived before it was entered now move the file on, in chain order.
      for (const early of await tx.earlyOutcomes(fileId, round)) {
        const outcome = (Object.keys(OUTCOME_STATUS) as StageOutcome[]).find(
          (o) => OUTCOME_STATUS[o] === early.status,
        )!;
        await this.advance(tx, fileId, contentHash, early.stage, outcome, early.reason ?? undefined);
      }
    });
  }

  async fileMissing(fileId: string, scanId: string): Promise<void> {
    await this.repo.transaction((tx) => tx.missingOnce(fileId, scanId));
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
    tx: LifecycleTx,
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

  async stageStarted(fileId: string, contentHash: string, stage: PipelineStage, generation?: number): Promise<void> {
    await this.repo.transaction(async (tx) => {
      // A `started` that overtook its round's `changed` is only news; the outcome follows.
      const round = await tx.roundOf(fileId, contentHash, generation);
      if (round.kind !== 'current') return;
      await tx.setStageStatus(fileId, contentHash, stage, 'running', round.generation);
    });
  }

  async stageFinished(
    fileId: string,
    contentHash: string,
    stage: PipelineStage,
    outcome: StageOutcome,
    reason?: string,
    generation?: number,
  ): Promise<void> {
    await this.repo.transaction(async (tx) => {
      // The file list's copy of the analysis, on every analysis outcome, repeats included (a retried analysis
      // announces its outcome again after storing a new measurement); recomputed from file_analysis.
      if (stage === 'analysis') await tx.refreshAnalysisFacts(fileId);
      const round = await tx.roundOf(fileId, contentHash, generation);
      if (round.kind === 'unknown' || round.kind === 'stale') return; // about content the file no longer has
      const changed = await tx.setStageStatus(
        fileId,
        contentHash,
        stage,
        OUTCOME_STATUS[outcome],
        round.generation,
        reason,
      );
      if (!changed) return; // a repeat: already recorded (and applied, or waiting for its round)
      if (round.kind === 'ahead') return; // kept; applied when the round's `changed` event enters it
      await this.advance(tx, fileId, contentHash, stage, outcome, reason);
    });
  }

  /** Moves the file on for a recorded stage outcome and writes its history row. */
  private async advance(
    tx: LifecycleTx,
    fileId: string,
    contentHash: string,
    stage: PipelineStage,
    outcome: StageOutcome,
    reason?: string,
  ): Promise<void> {
    const t = transitionFor({ kind: 'stage', stage, outcome });
    const from = await tx.transition(fileId, t, contentHash);
    await tx.history(fileId, `${stage}.${outcome}`, from, from ? t.to : null, reason ? { reason } : undefined);
  }
}
