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
  requestedAt: z.iso.datetime(),
});

export const TracklistSearchRequestedSchema = z.object({
  requestId: uuid,
  fileId: uuid.optional(),
  query: z.string().min(1).max(500),
  requestedAt: z.iso.datetime(),
});
