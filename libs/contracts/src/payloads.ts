import { z } from 'zod';
import { PIPELINE_STAGES, STAGE_OUTCOMES } from './stages';

/** Payloads carry ids and small facts, never whole rows. */

const uuid = z.uuid();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');

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
});

/** A pipeline stage finished with a file: done, skipped (does not apply) or failed (with the reason). */
export const StageFinishedSchema = z.object({
  fileId: uuid,
  contentHash: sha256,
  stage: z.enum(PIPELINE_STAGES),
  outcome: z.enum(STAGE_OUTCOMES),
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

/** A mix identification ended: `done` with the number of identified tracks, or `failed` with the reason. */
export const MixIdentifyFinishedSchema = z.object({
  jobId: uuid,
  fileId: uuid,
  status: z.enum(['done', 'failed']),
  tracks: z.number().int().nonnegative(),
  error: z.string().max(2000).optional(),
});

/** Commands for stages that get their real work in later issues; declared now so every app provisions its consumer. */

export const ExecutionRequestedSchema = z.object({
  executionId: uuid,
  requestedAt: z.iso.datetime(),
});

/** An undo of an execution (all of it, or only some of its operations). */
export const ExecutionUndoRequestedSchema = z.object({
  executionId: uuid,
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
 * file unchanged at its new place. `pathKey` is the exact bytes of the new path, base64.
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
});

export const TracklistSearchRequestedSchema = z.object({
  requestId: uuid,
  fileId: uuid.optional(),
  query: z.string().min(1).max(500),
  requestedAt: z.iso.datetime(),
});
