import { z } from 'zod';

/** The analysis stage's own settings (merged with the common ones by the service host). */
export const analysisConfigShape = {
  /**
   * Time limit for analysing one file, in milliseconds. A 6-hour mix needs several minutes on one core, so
   * the default is generous; a file that overruns it is retried and, on its last delivery, failed.
   */
  ANALYSIS_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(6 * 3600_000)
    .default(30 * 60_000),
};

export type AnalysisConfig = z.infer<z.ZodObject<typeof analysisConfigShape>>;

export const DEFAULT_ANALYSIS_CONFIG: AnalysisConfig = { ANALYSIS_TIMEOUT_MS: 30 * 60_000 };
