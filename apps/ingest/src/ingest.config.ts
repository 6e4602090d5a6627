import { z } from 'zod';

export const ingestConfigShape = {
  /** Folders Crateflow may scan; anything else is refused. */
  CRATEFLOW_LIBRARY_ROOTS: z.string().default(''),
  /** The executor's output root: a library root too (its copies can be scanned) without being listed above. */
  CRATEFLOW_OUTPUT_ROOT: z.string().default(''),
  /** Files hashed at once. */
  INGEST_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  /** Rows per database statement when recording files. */
  INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** How often a running scan reports its counts. */
  INGEST_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(100).default(1000),
  /** Re-reads of a file that changes while being hashed before it is left for a later scan. */
  INGEST_UNSTABLE_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  INGEST_UNSTABLE_RETRY_DELAY_MS: z.coerce.number().int().min(0).default(2000),
};
