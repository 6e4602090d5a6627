import type { z } from 'zod';
import {
  DeadLetterSchema,
  ExecutionFinishedSchema,
  ExecutionPlanFinishedSchema,
  ExecutionPlanRequestedSchema,
  ExecutionProgressedSchema,
  ExecutionRequestedSchema,
  MixIdentifyCancelRequestedSchema,
  IndexRebuildProgressedSchema,
  IndexRebuildRequestedSchema,
  ExecutionUndoRequestedSchema,
  FileRelocatedSchema,
  MixIdentifyFinishedSchema,
  MixIdentifyProgressedSchema,
  MixIdentifyRequestedSchema,
  ProposalDecisionSchema,
  ProposalGeneratedSchema,
  ProposalGenerationFinishedSchema,
  ProposalGenerationRequestedSchema,
  TracklistSearchRequestedSchema,
  TracklistScrapeRequestedSchema,
  TracklistLookupFinishedSchema,
  TracklistSavedSchema,
  FileDuplicateResolvedSchema,
  FileDuplicateUnresolvedSchema,
  FileIngestedSchema,
  FileMissingSchema,
  ScanFinishedSchema,
  ScanProgressedSchema,
  ScanRequestedSchema,
  StageFinishedSchema,
  StageStartedSchema,
} from './payloads';
import { PIPELINE_STAGES, type PipelineStage, type ServiceName, type StageOutcome } from './stages';

/**
 * The one subject naming scheme of the system. Every subject is `<prefix>.<name>`; the prefix
 * (default `crateflow`) lets tests and several installations share one NATS server.
 * Events are past tense; commands end in `.requested`.
 */
export interface SubjectDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly description: string;
  /** The one service that publishes the subject (declared on newer subjects; docs infer the older ones). */
  readonly publisher?: ServiceName;
}

function subject<S extends z.ZodType>(
  name: string,
  schema: S,
  description: string,
  publisher?: ServiceName,
): SubjectDefinition<S> {
  return publisher ? { name, schema, description, publisher } : { name, schema, description };
}

function stageSubjects<T extends PipelineStage>(stage: T) {
  return {
    started: subject(`file.${stage}.started`, StageStartedSchema, `${stage} started on a file`, stage),
    completed: subject(`file.${stage}.completed`, StageFinishedSchema, `${stage} finished a file`, stage),
    skipped: subject(`file.${stage}.skipped`, StageFinishedSchema, `${stage} does not apply to a file`, stage),
    failed: subject(`file.${stage}.failed`, StageFinishedSchema, `${stage} gave up on a file`, stage),
  } as const;
}

export const Subjects = {
  scanRequested: subject('scan.requested', ScanRequestedSchema, 'a person asked for a folder to be scanned'),
  scanProgressed: subject('scan.progressed', ScanProgressedSchema, 'a running scan reports its counts'),
  scanFinished: subject('scan.finished', ScanFinishedSchema, 'a scan completed or failed'),
  fileDiscovered: subject('file.ingest.discovered', FileIngestedSchema, 'a new file was found and hashed'),
  fileChanged: subject(
    'file.ingest.changed',
    FileIngestedSchema,
    'a known file changed on disk and re-enters the pipeline',
  ),
  fileMissing: subject(
    'file.ingest.vanished',
    FileMissingSchema,
    'a known file is gone from disk (it is marked missing, never deleted)',
  ),
  fileDuplicateResolved: subject(
    'file.duplicate.resolved',
    FileDuplicateResolvedSchema,
    'a person chose another copy of this file as canonical; the file is marked duplicate-resolved',
  ),
  fileDuplicateUnresolved: subject(
    'file.duplicate.unresolved',
    FileDuplicateUnresolvedSchema,
    'a duplicate resolution that covered this file was undone',
  ),
  metadata: stageSubjects('metadata'),
  fingerprint: stageSubjects('fingerprint'),
  analysis: stageSubjects('analysis'),
  proposer: stageSubjects('proposer'),
  proposalGenerationRequested: subject(
    'proposal.generation.requested',
    ProposalGenerationRequestedSchema,
    'a person asked for proposals for every eligible file or a selection',
    'gateway',
  ),
  proposalGenerationFinished: subject(
    'proposal.generation.finished',
    ProposalGenerationFinishedSchema,
    'the proposer handled every file of a generation request (or failed it)',
    'proposer',
  ),
  proposalGenerated: subject(
    'file.proposal.generated',
    ProposalGeneratedSchema,
    'the proposer stored a new proposal (name and folder) for the file',
    'proposer',
  ),
  proposalApproved: subject(
    'file.proposal.approved',
    ProposalDecisionSchema,
    'a person approved the proposal; the file is APPROVED',
    'gateway',
  ),
  proposalRejected: subject(
    'file.proposal.rejected',
    ProposalDecisionSchema,
    'a person rejected the proposal; the file is REJECTED',
    'gateway',
  ),
  proposalEdited: subject(
    'file.proposal.edited',
    ProposalDecisionSchema,
    'a person changed the proposed name or folder; the proposal is pending again',
    'gateway',
  ),
  proposalUndone: subject(
    'file.proposal.undone',
    ProposalDecisionSchema,
    "a person undid the last review action; the payload's decision is the one restored",
    'gateway',
  ),
  mixIdentifyRequested: subject(
    'mix.identify.requested',
    MixIdentifyRequestedSchema,
    'identify the library tracks inside a mix',
  ),
  mixIdentifyProgressed: subject(
    'mix.identify.progressed',
    MixIdentifyProgressedSchema,
    'a running mix identification reports how much of the mix it has read',
  ),
  mixIdentifyCancelRequested: subject(
    'mix.identify.cancel.requested',
    MixIdentifyCancelRequestedSchema,
    'stop a running or queued mix identification',
    'gateway',
  ),
  mixIdentifyFinished: subject(
    'mix.identify.finished',
    MixIdentifyFinishedSchema,
    'a mix identification ended with its timeline stored, or failed',
  ),
  indexRebuildRequested: subject(
    'index.rebuild.requested',
    IndexRebuildRequestedSchema,
    're-index one track into the fingerprint index generation being built (an algorithm or layout upgrade)',
    'fingerprint',
  ),
  indexRebuildProgressed: subject(
    'index.rebuild.progressed',
    IndexRebuildProgressedSchema,
    'a fingerprint index rebuild reports tracks done, failed and total, rate and ETA; state active when it took over',
    'fingerprint',
  ),
  executionRequested: subject(
    'execution.run.requested',
    ExecutionRequestedSchema,
    'carry out a stored plan of moves, copies or links',
    'gateway',
  ),
  executionPlanRequested: subject(
    'execution.plan.requested',
    ExecutionPlanRequestedSchema,
    'compute a plan (dry run) from the approved proposals',
    'gateway',
  ),
  executionPlanFinished: subject(
    'execution.plan.finished',
    ExecutionPlanFinishedSchema,
    'a plan was stored with its blocked items and totals, or could not be computed',
    'executor',
  ),
  executionUndoRequested: subject(
    'execution.undo.requested',
    ExecutionUndoRequestedSchema,
    'undo an execution (all or some of its files), moved back by the same protocol',
    'gateway',
  ),
  executionProgressed: subject(
    'execution.run.progressed',
    ExecutionProgressedSchema,
    'a running execution reports totals, bytes, rate, ETA and the files finished since the last report',
    'executor',
  ),
  executionFinished: subject(
    'execution.run.finished',
    ExecutionFinishedSchema,
    'an execution ended with every file done, failed or skipped',
    'executor',
  ),
  fileRelocated: subject(
    'file.execution.relocated',
    FileRelocatedSchema,
    'the executor moved, copied, linked or restored a known file: ingest records its new path',
    'executor',
  ),
  tracklistSearchRequested: subject(
    'tracklist.search.requested',
    TracklistSearchRequestedSchema,
    'look a mix up on 1001Tracklists',
  ),
  tracklistScrapeRequested: subject(
    'tracklist.scrape.requested',
    TracklistScrapeRequestedSchema,
    'read (or re-read) one 1001Tracklists page, optionally linking it to a set',
    'gateway',
  ),
  tracklistLookupFinished: subject(
    'tracklist.lookup.finished',
    TracklistLookupFinishedSchema,
    'a 1001Tracklists look-up or scrape ended (found, nothing, candidates, retrying, parked, blocked)',
    'tracklists',
  ),
  tracklistSaved: subject(
    'tracklist.saved',
    TracklistSavedSchema,
    'a tracklist was stored (from 1001Tracklists, a fingerprint timeline or a cue sheet)',
    'tracklists',
  ),
  deadLetter: subject(
    'dlq.*',
    DeadLetterSchema,
    'a message no handler could process; the token after dlq is the consumer',
  ),
} as const;

export type SubjectKey = Exclude<keyof typeof Subjects, PipelineStage>;

/** Subject definition for a stage outcome, e.g. stageSubject('metadata', 'completed'). */
export function stageSubject(stage: PipelineStage, outcome: StageOutcome | 'started'): SubjectDefinition {
  return Subjects[stage][outcome];
}

/** Every subject definition, flattened. */
export function allSubjects(): SubjectDefinition[] {
  const out: SubjectDefinition[] = [];
  for (const value of Object.values(Subjects)) {
    if ('schema' in value) out.push(value as SubjectDefinition);
    else out.push(...(Object.values(value) as SubjectDefinition[]));
  }
  return out;
}

/** The definition whose name matches a concrete subject (prefix already removed). */
export function findSubject(name: string): SubjectDefinition | undefined {
  return allSubjects().find((s) => matchSubject(s.name, name));
}

/** NATS-style match of a concrete subject against a pattern with `*` and `>` tokens. */
export function matchSubject(pattern: string, subjectName: string): boolean {
  const p = pattern.split('.');
  const s = subjectName.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

export type PayloadOf<D> = D extends SubjectDefinition<infer S> ? z.infer<S> : never;

/** Stage that runs after the given one; null after the last. */
export function nextStage(stage: PipelineStage): PipelineStage | null {
  const i = PIPELINE_STAGES.indexOf(stage);
  return PIPELINE_STAGES[i + 1] ?? null;
}

/** The deterministic message id that makes a publish idempotent inside the dedupe window. */
export function messageId(...parts: (string | number)[]): string {
  return parts.join(':');
}
