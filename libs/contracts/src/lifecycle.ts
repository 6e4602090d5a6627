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

/** The state a file reaches once a pipeline stage has finished with it, whatever the outcome. */
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
  | { kind: 'duplicate-resolved' }
  | { kind: 'duplicate-unresolved' };

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
      const to = STATE_AFTER_STAGE[trigger.stage];
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
    case 'duplicate-resolved':
      return { from: ALL.filter((s) => s !== 'EXECUTED' && s !== 'DUPLICATE_RESOLVED'), to: 'DUPLICATE_RESOLVED' };
    case 'duplicate-unresolved':
      // Undoing a duplicate resolution puts the file back at the end of the automatic chain.
      return { from: ['DUPLICATE_RESOLVED'], to: 'PROPOSAL_GENERATED' };
  }
}

export function canTransition(from: FileState, trigger: LifecycleTrigger): boolean {
  return transitionFor(trigger).from.includes(from);
}

/** Every (from, to) edge in the table; used for the docs diagram and for tests. */
export function allTransitions(): { from: FileState; to: FileState; trigger: string }[] {
  const triggers: LifecycleTrigger[] = [
    ...PIPELINE_STAGES.map((stage) => ({ kind: 'stage', stage, outcome: 'completed' }) as const),
    { kind: 'changed' },
    { kind: 'approved' },
    { kind: 'rejected' },
    { kind: 'executed' },
    { kind: 'execution-failed' },
    { kind: 'duplicate-resolved' },
    { kind: 'duplicate-unresolved' },
  ];
  return triggers.flatMap((t) => {
    const { from, to } = transitionFor(t);
    const name = t.kind === 'stage' ? `${t.stage} finished` : t.kind;
    return from.map((f) => ({ from: f, to, trigger: name }));
  });
}
