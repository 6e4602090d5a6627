import { z } from 'zod';
import { PIPELINE_STAGES, STAGE_OUTCOMES } from './stages';

/** Payloads carry ids and small facts, never whole rows. */

const uuid = z.uuid();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');

/**
 * How many times a file has entered the chain (1 when first found, +1 each time its content changes).
 * Every event of one round carries it, so a repeat of an old round is recognised as stale and each round's
 * message ids differ from the last round's (content that changes back to earlier bytes is not a duplicate).
 * Optional only so that messages published before it existed still parse.
 */
const generation = z.number().int().positive().optional();

export const ScanCountsSchema = z.object({
  found: z.number().int().nonnegative(),
  new: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  ignored: z.number().int().nonnegative(),
  symlinksSkipped: z.number().int().nonnegative(),
  unstable: z.number().int().nonnegative(),
  bytesHashed: z.number().nonnegative(),
});
export type ScanCounts = z.infer<typeof ScanCountsSchema>;

/** The counts of a scan that has found nothing yet (a fresh copy each call, so callers may mutate it). */
export function emptyScanCounts(): ScanCounts {
  return {
    found: 0,
    new: 0,
    changed: 0,
    unchanged: 0,
    missing: 0,
    errors: 0,
    ignored: 0,
    symlinksSkipped: 0,
    unstable: 0,
    bytesHashed: 0,
  };
}

export const ScanRequestedSchema = z.object({
  scanId: uuid,
  path: z.string().min(1).max(4096),
  requestedAt: z.iso.datetime(),
});

export const ScanProgressedSchema = z.object({
  scanId: uuid,
  counts: ScanCountsSchema,
  currentDir: z.string().max(4096).optional(),
});

export const ScanFinishedSchema = z.object({
  scanId: uuid,
  status: z.enum(['completed', 'failed']),
  counts: ScanCountsSchema,
  error: z.string().max(2000).optional(),
});

/** A file entered (or re-entered) the pipeline, or disappeared from disk. */
export const FileIngestedSchema = z.object({
  fileId: uuid,
  scanId: uuid,
  contentHash: sha256,
  kind: z.enum(['music', 'video', 'companion']),
  generation,
});

export const FileMissingSchema = z.object({
  fileId: uuid,
  scanId: uuid,
});

/** A pipeline stage started working on a file (recorded as status `running`). */
export const StageStartedSchema = z.object({
  fileId: uuid,
  contentHash: sha256,
  stage: z.enum(PIPELINE_STAGES),
  generation,
});

/** A pipeline stage finished with a file: done, skipped (does not apply) or failed (with the reason). */
export const StageFinishedSchema = z.object({
  fileId: uuid,
  contentHash: sha256,
  stage: z.enum(PIPELINE_STAGES),
  outcome: z.enum(STAGE_OUTCOMES),
  generation,
  /** Why the stage was skipped or failed, readable by a person. */
  reason: z.string().max(2000).optional(),
});

/** What goes to the dead-letter subject: the original message and why it could not be handled. */
export const DeadLetterSchema = z.object({
  subject: z.string(),
  consumer: z.string(),
  deliveries: z.number().int(),
  error: z.string().max(4000),
  data: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
  failedAt: z.iso.datetime(),
});

/**
 * A person resolved a duplicate group: this file is not the canonical copy and is marked
 * DUPLICATE_RESOLVED (nothing is moved or deleted). `contentHash` is the content the decision is about.
 */
export const FileDuplicateResolvedSchema = z.object({
  fileId: uuid,
  contentHash: sha256,
  resolutionId: uuid,
  canonicalFileId: uuid,
});

/** A duplicate resolution was undone: the file goes back to the end of the automatic chain. */
export const FileDuplicateUnresolvedSchema = FileDuplicateResolvedSchema;

/**
 * One track of the fingerprint index to re-index into a generation being built (an index upgrade: the
 * algorithm or layout version changed). Published by the fingerprint service for every track of the active
 * generation; any replica decodes a file holding the track's content again and writes the new generation.
 */
export const IndexRebuildRequestedSchema = z.object({
  generation: z.number().int().positive(),
  trackId: z.number().int(),
});

/** How far an index rebuild got (a few times a minute while it runs, and once when the new generation takes over). */
export const IndexRebuildProgressedSchema = z.object({
  generation: z.number().int().positive(),
  /** `building` while it runs; `active` once the new generation answers look-ups (the old one is retired). */
  state: z.enum(['building', 'active']),
  algorithmVersion: z.number().int(),
  layoutVersion: z.number().int(),
  /** Tracks in the new generation, tracks the rebuild gave up on, and all tracks it has to cover. */
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Tracks per minute over the last reports, and the seconds left at that rate (null until measurable). */
  ratePerMin: z.number().nonnegative().nullable(),
  etaSec: z.number().nonnegative().nullable(),
});

/** A person asked which library tracks play inside a mix; `jobId` names the identification job. */
export const MixIdentifyRequestedSchema = z.object({
  jobId: uuid,
  fileId: uuid,
  requestedAt: z.iso.datetime(),
});

/** A running mix identification reports how far it got (a few times a minute, not per window). */
export const MixIdentifyProgressedSchema = z.object({
  jobId: uuid,
  fileId: uuid,
  processedSec: z.number().nonnegative(),
  /** The mix's length when known (from its tags or stream facts). */
  durationSec: z.number().nonnegative().optional(),
});

/** Stop a mix identification (running or still queued); it ends as `cancelled`. */
export const MixIdentifyCancelRequestedSchema = z.object({
  jobId: uuid,
  fileId: uuid,
});

/**
 * A mix identification ended: `done` with the number of identified tracks, `failed` with the reason, or
 * `cancelled` on request.
 */
export const MixIdentifyFinishedSchema = z.object({
  jobId: uuid,
  fileId: uuid,
  status: z.enum(['done', 'failed', 'cancelled']),
  tracks: z.number().int().nonnegative(),
  error: z.string().max(2000).optional(),
});

/** Commands for stages that get their real work in later issues; declared now so every app provisions its consumer. */

export const ExecutionRequestedSchema = z.object({
  executionId: uuid,
  /** The stored plan to run exactly (the executor refuses it when anything in it changed since). */
  planId: uuid.optional(),
  requestedAt: z.iso.datetime(),
});

export const EXECUTION_MODES = ['move', 'copy', 'hardlink'] as const;
export type ExecutionModeName = (typeof EXECUTION_MODES)[number];

/** Compute a plan (a dry run) from the approved proposals, or from a selection of them. */
export const ExecutionPlanRequestedSchema = z.object({
  planId: uuid,
  mode: z.enum(EXECUTION_MODES),
  proposalIds: z.array(uuid).min(1).max(10000).optional(),
  removeEmptyFolders: z.boolean().default(true),
  requestedAt: z.iso.datetime(),
});

/** A plan was stored (`ready`, blocked items included) or could not be computed (`failed`, with the reason). */
export const ExecutionPlanFinishedSchema = z.object({
  planId: uuid,
  status: z.enum(['ready', 'failed']),
  error: z.string().max(2000).optional(),
});

/**
 * Undo an execution: `executionId` names the new undo execution, `undoOf` the one to reverse, and
 * `operationIds` a selection of its operations (absent: all of them).
 */
export const ExecutionUndoRequestedSchema = z.object({
  executionId: uuid,
  undoOf: uuid,
  operationIds: z.array(uuid).min(1).max(10000).optional(),
  requestedAt: z.iso.datetime(),
});

const ExecutionCountsSchema = z.object({
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative(),
});

/** A running execution reports its totals and the files finished since the last report (a few times a second at most). */
export const ExecutionProgressedSchema = z.object({
  executionId: uuid,
  counts: ExecutionCountsSchema,
  bytesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  files: z
    .array(
      z.object({
        operationId: uuid,
        fileId: uuid.nullable(),
        path: z.string().max(8192),
        status: z.enum(['done', 'failed', 'skipped', 'pending']),
        error: z.string().max(2000).optional(),
      }),
    )
    .max(200),
});

/** An execution ended: every operation is done, failed or skipped (or the execution failed as a whole). */
export const ExecutionFinishedSchema = z.object({
  executionId: uuid,
  status: z.enum(['completed', 'failed']),
  counts: ExecutionCountsSchema,
  foldersRemoved: z.number().int().nonnegative(),
  error: z.string().max(2000).optional(),
});

/**
 * The executor changed where a known file lives: moved (or moved back by an undo), or copied / hard-linked
 * into the output root. Ingest owns the files table and records the new path, so the next scan finds the
 * file unchanged at its new place; a copy becomes a new row (`copyFileId`) linked to its source, with the
 * hash the executor verified. `pathKey` is the exact bytes of the new path, base64.
 */
export const FileRelocatedSchema = z.object({
  fileId: uuid,
  executionId: uuid,
  operationId: uuid,
  action: z.enum(['moved', 'copied', 'linked', 'restored', 'unpublished']),
  path: z.string().min(1).max(8192),
  pathKey: z.string().min(1).max(12000),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  contentHash: sha256,
  /**
   * A copy or hard link is a file of its own, linked to its source (`fileId`): the id its `files` row gets
   * (`copied`, `linked`), or the id of the row to remove when an undo took the copy away (`unpublished`).
   */
  copyFileId: uuid.optional(),
  /** The root the copy lives under (the output root), for its `files` row. */
  copyRoot: z.string().min(1).max(8192).optional(),
});

/**
 * Look a set up on 1001Tracklists (published by the gateway). Without `query` the tracklists service derives it
 * from the file's name. `byPerson`: a person asked, so the look-up record's waiting times do not apply.
 */
export const TracklistSearchRequestedSchema = z.object({
  requestId: uuid,
  fileId: uuid.optional(),
  query: z.string().min(1).max(500).optional(),
  byPerson: z.boolean().optional(),
  requestedAt: z.iso.datetime(),
});

/**
 * Proposals (issue 11). The proposer writes `proposals` (what it proposes) and `proposal_generations`
 * (progress of a generation request); the gateway writes `proposal_reviews` (a person's decision and
 * edits). A proposal's effective status is the review's decision when there is one, else the proposer's.
 */
export const PROPOSAL_STATUSES = ['pending', 'approved', 'rejected', 'invalid', 'superseded'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** What a person can decide about a proposal; `pending` is the decision after an undo or an edit. */
export const PROPOSAL_DECISIONS = ['pending', 'approved', 'rejected'] as const;
export type ProposalDecision = (typeof PROPOSAL_DECISIONS)[number];

/** Where a proposal came from: the built-in rules, an LLM, or the rules after the LLM failed for the file. */
export const PROPOSAL_SOURCES = ['rules', 'llm', 'rules-fallback'] as const;
export type ProposalSource = (typeof PROPOSAL_SOURCES)[number];

/** Upper bound of file ids in one generation command (a larger selection is split by the gateway). */
export const MAX_GENERATION_FILE_IDS = 1000;

/** A person asked for proposals: for every eligible file (no `fileIds`) or a selection. */
export const ProposalGenerationRequestedSchema = z.object({
  generationId: uuid,
  fileIds: z.array(uuid).min(1).max(MAX_GENERATION_FILE_IDS).optional(),
  /**
   * Replace pending proposals as well. Proposals a person approved or rejected are never replaced by a
   * generation; the person undoes the decision first.
   */
  regenerate: z.boolean().default(false),
  requestedAt: z.iso.datetime(),
});

export const ProposalGenerationCountsSchema = z.object({
  eligible: z.number().int().nonnegative(),
  generated: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type ProposalGenerationCounts = z.infer<typeof ProposalGenerationCountsSchema>;

/** A generation request ended (all its files were handled) or failed as a whole. */
export const ProposalGenerationFinishedSchema = z.object({
  generationId: uuid,
  status: z.enum(['completed', 'failed']),
  counts: ProposalGenerationCountsSchema,
  error: z.string().max(2000).optional(),
});

/** The proposer stored a new proposal for a file's content (`valid` false: stored with the reason it is invalid). */
export const ProposalGeneratedSchema = z.object({
  proposalId: uuid,
  fileId: uuid,
  contentHash: sha256,
  generationId: uuid.optional(),
  source: z.enum(PROPOSAL_SOURCES),
  valid: z.boolean(),
});

/**
 * A person's decision about a proposal, published by the gateway after it stored it: approved, rejected,
 * edited (decision `pending`) or undone (the decision it went back to). `version` is the review's version
 * after the change (the ETag clients send back in If-Match).
 */
export const ProposalDecisionSchema = z.object({
  proposalId: uuid,
  fileId: uuid,
  contentHash: sha256,
  decision: z.enum(PROPOSAL_DECISIONS),
  version: z.number().int().positive(),
  decidedAt: z.iso.datetime(),
});

/**
 * Read (or re-read) one 1001Tracklists page (published by the gateway). With `fileId` the tracklist is linked to
 * that set as a person's link; with `tracklistId` it is a re-scrape of that tracklist's page.
 */
export const TracklistScrapeRequestedSchema = z.object({
  requestId: uuid,
  url: z.string().min(1).max(2000),
  fileId: uuid.optional(),
  tracklistId: uuid.optional(),
  requestedAt: z.iso.datetime(),
});

/** A 1001Tracklists look-up or scrape ended (published by tracklists). */
export const TracklistLookupFinishedSchema = z.object({
  requestId: uuid.optional(),
  fileId: uuid.optional(),
  contentHash: z.string().length(64).optional(),
  status: z.enum(['found', 'nothing', 'candidates', 'retrying', 'parked', 'blocked', 'skipped', 'failed']),
  tracklistId: uuid.optional(),
  reason: z.string().max(2000).optional(),
});

/** A tracklist was stored; `changed`: a new version was added (published by tracklists). */
export const TracklistSavedSchema = z.object({
  tracklistId: uuid,
  source: z.enum(['1001tracklists', 'fingerprint', 'cue', 'manual']),
  version: z.number().int().positive(),
  changed: z.boolean(),
});
