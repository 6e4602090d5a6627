import { z } from 'zod';

/** The fingerprint stage's own settings (merged with the common ones by the service host). */
export const fingerprintConfigShape = {
  /**
   * Time limit for decoding and fingerprinting one file, in milliseconds. Fingerprinting runs at several
   * hundred times realtime, so a 6-hour mix needs well under a minute; the limit only catches a stuck decoder.
   */
  FINGERPRINT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(6 * 3600_000)
    .default(20 * 60_000),
  /** Time limit for identifying the tracks of one mix, in milliseconds. */
  FINGERPRINT_MIX_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(12 * 3600_000)
    .default(60 * 60_000),
  /**
   * Recordings longer than this (seconds) are not offered as tracks of a mix: they are mixes themselves, and a
   * mix would otherwise be "identified" as another mix that shares a track with it. 30 minutes is longer than
   * any extended club track.
   */
  FINGERPRINT_MIX_CANDIDATE_MAX_SEC: z.coerce
    .number()
    .int()
    .min(60)
    .default(30 * 60),
  /**
   * How often the index's background merge packs newly indexed tracks into the compact layout (and purges
   * removed ones), in milliseconds; 0 turns it off (look-ups stay correct, the index just stays large).
   */
  FINGERPRINT_MERGE_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * How often the index upgrade coordinator runs (queues tracks of a rebuild, reports progress, makes the new
   * generation active when complete), in milliseconds; 0 turns it off (a rebuild then waits).
   */
  FINGERPRINT_REBUILD_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  /** How long after a flip the old generation's tables are emptied, in milliseconds (readers cache the view ~2 s). */
  FINGERPRINT_REBUILD_RETIRE_GRACE_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * How often an upgrade's progress is counted, reported (index.rebuild.progressed) and more tracks queued, in
   * milliseconds: a count reads the per-track tables of both generations.
   */
  FINGERPRINT_REBUILD_REPORT_MS: z.coerce.number().int().min(0).default(30_000),
  /** How often tracks still missing after everything was queued are queued again, in milliseconds. */
  FINGERPRINT_REBUILD_SWEEP_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(10 * 60_000),
};

export type FingerprintConfig = z.infer<z.ZodObject<typeof fingerprintConfigShape>>;
