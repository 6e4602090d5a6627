import { z } from 'zod';

/** The metadata stage's own settings (merged with the common ones by the service host). */
export const metadataConfigShape = {
  /** Most bytes the tag reader may pull from one file (tags, headers, structure checks). */
  METADATA_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .max(1024 * 1024 * 1024)
    .default(32 * 1024 * 1024),
  /** Per-file time limit for reading tags, in milliseconds. */
  METADATA_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(15_000),
  /** Most bytes read from one companion file (.cue, .nfo, .txt, playlists, checksum lists). */
  METADATA_COMPANION_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(4 * 1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
};

export type MetadataConfig = z.infer<z.ZodObject<typeof metadataConfigShape>>;

export const DEFAULT_METADATA_CONFIG: MetadataConfig = {
  METADATA_MAX_BYTES: 32 * 1024 * 1024,
  METADATA_TIMEOUT_MS: 15_000,
  METADATA_COMPANION_MAX_BYTES: 1024 * 1024,
};
