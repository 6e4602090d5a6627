import { z } from 'zod';
import { FILE_STATES, PIPELINE_STAGES, STAGE_STATUSES } from '@crateflow/contracts';

const count = z.number().int().nonnegative();
const countsBy = <T extends readonly [string, ...string[]]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((k) => [k, count])) as Record<T[number], typeof count>);

export const THROUGHPUT_WINDOWS_MINUTES = [1, 5, 15] as const;

export const PipelineStatsSchema = z.object({
  generatedAt: z.iso.datetime(),
  files: z.object({
    total: count,
    missing: count.describe('Files a scan no longer finds (kept, never deleted)'),
    copies: count.describe(
      "Copies the executor made into the output root (copy and hardlink modes): they take their original's results and no stage runs for them, so they are never pending",
    ),
    byState: countsBy(FILE_STATES),
  }),
  stages: z
    .object(
      Object.fromEntries(PIPELINE_STAGES.map((s) => [s, countsBy(STAGE_STATUSES)])) as Record<
        (typeof PIPELINE_STAGES)[number],
        ReturnType<typeof countsBy<typeof STAGE_STATUSES>>
      >,
    )
    .describe(
      'Files per status for each stage; `pending` includes files the stage has no record of yet (copies excepted)',
    ),
  failures: z
    .array(
      z.object({
        fileId: z.uuid(),
        path: z.string(),
        stage: z.enum(PIPELINE_STAGES),
        reason: z.string().nullable(),
        attempts: z.number().int(),
        at: z.iso.datetime(),
      }),
    )
    .describe('The 20 most recent failures'),
  throughput: z
    .array(
      z.object({
        windowMinutes: z.number().int(),
        finished: count.describe('Stage results (done, skipped or failed) recorded in the window'),
        perMinute: z.number().nonnegative(),
        byStage: countsBy(PIPELINE_STAGES),
      }),
    )
    .describe('Files finishing a stage in the last 1, 5 and 15 minutes'),
});
export type PipelineStats = z.output<typeof PipelineStatsSchema>;
