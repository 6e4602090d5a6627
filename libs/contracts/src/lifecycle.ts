import { PIPELINE_STAGES, type PipelineStage, type StageOutcome } from './stages';

/**
 * The file lifecycle. A state says how far through the chain a file has come; how each stage went
 * (done, skipped, failed) is the stage status, kept beside it. A skipped or failed stage still moves
 * the file on, so no file is ever stranded where no later trigger can see it.
 */
export const FILE_STATES = [
  'DISCOVERED',
  'METADATA_EXTRACTED',
  'FINGERPRINTED',
  'ANALYZED',
  'PROPOSAL_GENERATED',
  'APPROVED',
  'REJECTED',
  'EXECUTED',
  'FAILED',
  'DUPLICATE_RESOLVED',
] as const;
export type FileState = (typeof FILE_STATES)[number];

/**
 * The state a file reaches once a pipeline stage has finished with it. Every outcome of the first three
 * stages moves the file on; the proposer is different: only a stored proposal makes a file
 * PROPOSAL_GENERATED. A file the proposer skipped or failed stays ANALYZED, and its proposer status says why.
 */
export const STATE_AFTER_STAGE: Record<PipelineStage, FileState> = {
  metadata: 'METADATA_EXTRACTED',
  fingerprint: 'FINGERPRINTED',
  analysis: 'ANALYZED',
  proposer: 'PROPOSAL_GENERATED',
};

/** Lifecycle triggers: pipeline stage outcomes plus the review and execution decisions. */
export type LifecycleTrigger =
  | { kind: 'stage'; stage: PipelineStage; outcome: StageOutcome }
  | { kind: 'changed' }
  | { kind: 'approved' }
  | { kind: 'rejected' }
  | { kind: 'executed' }
  | { kind: 'execution-failed' }
  /** An executed move was undone (the file is back at its original path); the approval still stands. */
  | { kind: 'execution-undone' }
  | { kind: 'duplicate-resolved' }
  /**
   * `restore`: the state to return to, the one the file had before the resolution, moved forward by the
   * stages that finished meanwhile (see restoredState). Never a state that claims more than the data holds.
   */
  | { kind: 'duplicate-unresolved'; restore: FileState }
  /** A person undid an approval or rejection, or edited a decided proposal: it is pending again. */
  | { kind: 'proposal-reopened' };

export interface Transition {
  readonly from: readonly FileState[];
  readonly to: FileState;
}

const CHAIN: readonly FileState[] = ['DISCOVERED', ...PIPELINE_STAGES.map((s) => STATE_AFTER_STAGE[s])];
const REVIEWABLE: readonly FileState[] = ['PROPOSAL_GENERATED', 'APPROVED', 'REJECTED'];
const ALL = FILE_STATES;

/**
 * The one transition table. A transition applies only when the current state is in `from`
 * (a guarded conditional update); anything else is a stale or repeated event and changes nothing.
 * Pipeline stages may only move a file forward along the chain.
 */
export function transitionFor(trigger: LifecycleTrigger): Transition {
  switch (trigger.kind) {
    case 'stage': {
      // A proposer that stored nothing must not make the file claim a proposal: it ends ANALYZED.
      const to =
        trigger.stage === 'proposer' && trigger.outcome !== 'completed' ? 'ANALYZED' : STATE_AFTER_STAGE[trigger.stage];
      return { from: CHAIN.slice(0, CHAIN.indexOf(to)), to };
    }
    case 'changed':
      // A file whose content changed re-enters the chain from the start, whatever it had reached.
      return { from: ALL, to: 'DISCOVERED' };
    case 'approved':
      return { from: REVIEWABLE, to: 'APPROVED' };
    case 'rejected':
      return { from: REVIEWABLE, to: 'REJECTED' };
    case 'executed':
      return { from: ['APPROVED'], to: 'EXECUTED' };
    case 'execution-failed':
      return { from: ['APPROVED'], to: 'FAILED' };
    case 'execution-undone':
      return { from: ['EXECUTED'], to: 'APPROVED' };
    case 'duplicate-resolved':
      return { from: ALL.filter((s) => s !== 'EXECUTED' && s !== 'DUPLICATE_RESOLVED'), to: 'DUPLICATE_RESOLVED' };
    case 'duplicate-unresolved':
      // Undoing a duplicate resolution puts the file back where its data says it is.
      return {
        from: ['DUPLICATE_RESOLVED'],
        to: UNRESOLVED_TARGETS.includes(trigger.restore) ? trigger.restore : 'DISCOVERED',
      };
    case 'proposal-reopened':
      return { from: ['APPROVED', 'REJECTED'], to: 'PROPOSAL_GENERATED' };
  }
}

/** States a file may return to when a duplicate resolution is undone (never EXECUTED, FAILED or itself). */
const UNRESOLVED_TARGETS: readonly FileState[] = [...CHAIN, 'APPROVED', 'REJECTED'];

/**
 * The state an un-resolved duplicate returns to: the later of the state it had before the resolution
 * (`before`, from its history) and what its stage statuses prove now (`proposerDone`: a proposal was
 * stored for the current content; `lastFinishedStage`: the furthest stage that finished, any outcome).
 */
export function restoredState(input: {
  before: FileState | null;
  lastFinishedStage: PipelineStage | null;
  proposerDone: boolean;
}): FileState {
  const order = (s: FileState) => (s === 'APPROVED' || s === 'REJECTED' ? CHAIN.length : CHAIN.indexOf(s));
  let proven: FileState = 'DISCOVERED';
  if (input.lastFinishedStage) {
    proven = transitionFor({
      kind: 'stage',
      stage: input.lastFinishedStage,
      outcome: input.lastFinishedStage === 'proposer' && !input.proposerDone ? 'skipped' : 'completed',
    }).to;
  }
  const before = input.before && UNRESOLVED_TARGETS.includes(input.before) ? input.before : null;
  if (before && order(before) >= order(proven)) {
    // A proposal state from before counts only while a proposal still exists for the content.
    if (order(before) >= CHAIN.indexOf('PROPOSAL_GENERATED') && !input.proposerDone) return proven;
    return before;
  }
  return proven;
}

export function canTransition(from: FileState, trigger: LifecycleTrigger): boolean {
  return transitionFor(trigger).from.includes(from);
}

/** One trigger of each kind (each variant that leads elsewhere); for the docs diagram and for tests. */
export function lifecycleTriggers(): LifecycleTrigger[] {
  return [
    ...PIPELINE_STAGES.map((stage) => ({ kind: 'stage', stage, outcome: 'completed' }) as const),
    { kind: 'changed' },
    { kind: 'approved' },
    { kind: 'rejected' },
    { kind: 'executed' },
    { kind: 'execution-failed' },
    { kind: 'execution-undone' },
    { kind: 'duplicate-resolved' },
    ...UNRESOLVED_TARGETS.map((restore) => ({ kind: 'duplicate-unresolved', restore }) as const),
    { kind: 'proposal-reopened' },
    { kind: 'stage', stage: 'proposer', outcome: 'skipped' },
  ];
}

/** A trigger's name as the docs and history show it. */
export function triggerName(t: LifecycleTrigger): string {
  if (t.kind !== 'stage') return t.kind;
  return `${t.stage} ${t.stage === 'proposer' && t.outcome !== 'completed' ? 'skipped or failed' : 'finished'}`;
}

/** Every (from, to) edge in the table; used for the docs diagram and for tests. */
export function allTransitions(): { from: FileState; to: FileState; trigger: string }[] {
  return lifecycleTriggers().flatMap((t) => {
    const { from, to } = transitionFor(t);
    return from.map((f) => ({ from: f, to, trigger: triggerName(t) }));
  });
}
