import { z } from 'zod';

export const executorConfigShape = {
  /** Folders the executor may move files within (the same list ingest scans). */
  CRATEFLOW_LIBRARY_ROOTS: z.string().default(''),
  /** Where `copy` and `hardlink` executions build the organised library; empty: those modes are refused. */
  CRATEFLOW_OUTPUT_ROOT: z.string().default(''),
  /** Minimum time between two progress events of a running execution. */
  EXECUTOR_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(50).default(250),
};
