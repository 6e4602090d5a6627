import type { JournalRepository } from '../journal/journal.repository';
import type { NewOperation } from '../journal/operation';
import { lookAt, matchesRecorded, sameFileByCaseFolding } from '../protocol/file-system';
import { displayPath } from '../protocol/path-bytes';
import type { PlanSourcesRepository } from '../plans/plan-sources.repository';
import type { PlanRepository } from '../plans/plan.repository';
import { computePlan } from '../plans/planner';
import type { ExecutionRunner } from './execution-runner';
import { reversedBy, undoOperationsFor } from './undo-planner';

export interface ExecutorSettings {
  roots: string[];
  outputRoot: string | null;
}

export interface PlanEvents {
  planFinished(p: { planId: string; status: 'ready' | 'failed'; error?: string }): Promise<void>;
}

/**
 * What the executor does on each command: compute and store a plan; turn a plan into an execution after
 * checking that nothing in it changed; build an undo execution. Each is idempotent (a redelivered command
 * finds its plan or execution already stored and only makes sure it runs).
 */
export class ExecutionCommands {
  constructor(
    private readonly journal: JournalRepository,
    private readonly plans: PlanRepository,
    private readonly sources: PlanSourcesRepository,
    private readonly runner: ExecutionRunner,
    private readonly events: PlanEvents,
    private readonly settings: ExecutorSettings,
  ) {}

  async plan(cmd: {
    planId: string;
    mode: 'move' | 'copy' | 'hardlink';
    proposalIds?: string[];
    removeEmptyFolders?: boolean;
  }) {
    if (!(await this.plans.plan(cmd.planId))) {
      const computed = await computePlan(this.sources, {
        mode: cmd.mode,
        proposalIds: cmd.proposalIds,
        roots: this.settings.roots,
        outputRoot: this.settings.outputRoot,
      });
      await this.plans.save(
        {
          id: cmd.planId,
          mode: cmd.mode,
          status: 'ready',
          options: {
            removeEmptyFolders: cmd.removeEmptyFolders !== false,
            proposalIds: cmd.proposalIds ?? null,
            outputRoot: cmd.mode === 'move' ? null : this.settings.outputRoot,
            proposalVersions: computed.proposalVersions,
          },
          totals: computed.totals,
        },
        computed.items,
      );
    }
    await this.events.planFinished({ planId: cmd.planId, status: 'ready' });
  }

  /** What changed in a plan since it was made; empty when it can run exactly as shown. */
  async staleness(planId: string): Promise<string[]> {
    const plan = await this.plans.plan(planId);
    if (!plan) return ['the plan does not exist'];
    if (plan.status !== 'ready') return [`the plan is ${plan.status}`];
    const items = (await this.plans.items(planId)).filter((i) => i.status === 'ready');
    const versions = (plan.options.proposalVersions ?? {}) as Record<string, number>;
    const approved = new Map(
      (await this.sources.approvedProposals(new Set(Object.keys(versions)))).map((p) => [p.proposalId, p]),
    );
    const problems: string[] = [];
    for (const item of items) {
      if (item.proposalId) {
        const p = approved.get(item.proposalId);
        if (!p || p.version !== versions[item.proposalId])
          problems.push(`${displayPath(item.source)}: its proposal changed or is no longer approved`);
      }
      const src = await lookAt(item.source);
      if (!matchesRecorded(src, item)) problems.push(`${displayPath(item.source)}: the source changed or is missing`);
      const dst = item.destination ? await lookAt(item.destination) : null;
      if (dst && !(await sameFileByCaseFolding(item.source, item.destination!, src, dst))) {
        problems.push(`${displayPath(item.destination!)}: the destination exists now`);
      }
      if (problems.length >= 20) break;
    }
    return problems;
  }

  async run(executionId: string, planId: string): Promise<void> {
    if (await this.journal.execution(executionId)) return this.runner.enqueue(executionId);
    const plan = await this.plans.plan(planId);
    const problems = await this.staleness(planId);
    if (!plan || problems.length) {
      await this.journal.createExecution({
        id: executionId,
        planId: plan ? planId : null,
        kind: 'run',
        mode: plan?.mode ?? 'move',
        operations: [],
        status: 'queued',
      });
      await this.journal.setExecutionStatus(
        executionId,
        'failed',
        `refused: the plan is stale: ${problems.join('; ')}`.slice(0, 4000),
      );
      if (plan && plan.status === 'ready') await this.plans.setStatus(planId, 'stale');
      return;
    }
    const items = (await this.plans.items(planId)).filter((i) => i.status === 'ready');
    const opIdOf = new Map(items.map((i) => [i.id, crypto.randomUUID()]));
    const operations: NewOperation[] = items.map((i) => ({
      id: opIdOf.get(i.id),
      kind: plan.mode,
      role: i.role,
      fileId: i.fileId,
      planItemId: i.id,
      parentOperationId: i.parentItemId ? (opIdOf.get(i.parentItemId) ?? null) : null,
      source: i.source,
      destination: i.destination!,
      expected: { size: i.size, mtimeMs: i.mtimeMs, dev: i.dev, ino: i.ino },
      contentHash: i.contentHash,
    }));
    await this.journal.createExecution({
      id: executionId,
      planId,
      kind: 'run',
      mode: plan.mode,
      options: { roots: this.rootsFor(plan.mode), removeEmptyFolders: plan.options.removeEmptyFolders !== false },
      operations,
    });
    await this.plans.setStatus(planId, 'executed');
    this.runner.enqueue(executionId);
  }

  async undo(executionId: string, undoOf: string, operationIds?: string[]): Promise<void> {
    if (await this.journal.execution(executionId)) return this.runner.enqueue(executionId);
    const original = await this.journal.execution(undoOf);
    const ops = await this.journal.operationsOf(undoOf);
    const already = reversedBy(await this.journal.operationsOfUndos(undoOf));
    const operations = undoOperationsFor(ops, { only: operationIds ? new Set(operationIds) : undefined, already });
    await this.journal.createExecution({
      id: executionId,
      kind: 'undo',
      undoOf,
      mode: original?.mode ?? 'move',
      options: { roots: this.rootsFor((original?.mode as never) ?? 'move'), removeEmptyFolders: true },
      operations,
    });
    this.runner.enqueue(executionId);
  }

  private rootsFor(mode: 'move' | 'copy' | 'hardlink'): string[] {
    return mode === 'move' || !this.settings.outputRoot
      ? this.settings.roots
      : [...this.settings.roots, this.settings.outputRoot];
  }
}
