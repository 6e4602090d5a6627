import { z } from 'zod';
import { RecordingFileSchema } from '../fingerprint/fingerprint.schemas';

export const BulkIdentifyBodySchema = z
  .strictObject({
    fileIds: z.array(z.uuid()).min(1).max(500).optional().describe('The mixes to identify'),
    minDurationSec: z.coerce
      .number()
      .int()
      .min(60)
      .max(24 * 3600)
      .optional()
      .describe('Without fileIds: every present music or video file at least this long (default 1200 s), up to 1000'),
  })
  .optional()
  .transform((body) => body ?? {});
export type BulkIdentifyBody = z.output<typeof BulkIdentifyBodySchema>;

export const MixJobAcceptedSchema = z.object({
  jobId: z.uuid(),
  fileId: z.uuid(),
  status: z.literal('queued'),
});

export const BulkIdentifyAcceptedSchema = z.object({
  jobs: z.array(MixJobAcceptedSchema),
  count: z.number().int().nonnegative(),
});

export const TimelineEntrySchema = z.object({
  position: z.number().int().min(1),
  startSec: z
    .number()
    .describe('Where the track is heard in the mix (crossfades split where both are equally present)'),
  endSec: z.number(),
  start: z.string().describe('startSec as h:mm:ss'),
  refStartSec: z.number().describe("The track's own position at startSec"),
  speed: z.number().describe('Track seconds per mix second: 1.05 means played 5 % fast'),
  mode: z
    .string()
    .describe('`vinyl` (tempo and pitch together), `stretch` (key-locked), `key` (pitch only) or `exact`'),
  keySemitones: z.number().describe('Mode `key`: semitones the pitch was shifted by, tempo unchanged; else 0'),
  confidence: z.number().min(0).max(1),
  contentHash: z.string(),
  file: RecordingFileSchema.nullable().describe(
    'The library file that names the track: a copy of it, or a tagged encoding of the same recording when its own copies carry no artist and title; null when no copy is present any more',
  ),
  via: z
    .object({
      contentHash: z.string(),
      refStartSec: z.number().describe("That recording's position at startSec"),
      file: RecordingFileSchema.nullable(),
    })
    .nullable()
    .describe(
      'When the track was heard through a library recording that is itself an identified mix (a recorded set holding it): that recording; else null',
    ),
});
export type TimelineEntryView = z.output<typeof TimelineEntrySchema>;

export const MixJobCancellingSchema = z.object({
  jobId: z.uuid(),
  fileId: z.uuid(),
  status: z.literal('cancelling').describe('The job ends as `cancelled` within seconds (mix.identify.finished)'),
});

export const MixIdentificationSchema = z.object({
  jobId: z.uuid(),
  fileId: z.uuid(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  current: z.boolean().describe('False when the mix changed on disk after this identification read it'),
  processedSec: z.number(),
  durationSec: z.number().nullable(),
  failureReason: z.string().nullable(),
  requestedAt: z.iso.datetime(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  entries: z.array(TimelineEntrySchema).describe('Identified library tracks, in order'),
  unknown: z
    .array(z.object({ startSec: z.number(), endSec: z.number() }))
    .describe('Stretches left unknown on purpose'),
});
export type MixIdentificationView = z.output<typeof MixIdentificationSchema>;
