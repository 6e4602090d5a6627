import { z } from 'zod';
import { PIPELINE_STAGES } from '@crateflow/contracts';

export const MAX_RETRIES_PER_REQUEST = 1000;

export const RetryBodySchema = z.strictObject({
  stage: z.enum(PIPELINE_STAGES).describe('The stage whose failures to retry'),
  fileIds: z
    .array(z.uuid())
    .min(1)
    .max(MAX_RETRIES_PER_REQUEST)
    .optional()
    .describe('Only these files (those the stage failed); every failed file of the stage when left out'),
});
export type RetryBody = z.output<typeof RetryBodySchema>;

export const RetryAcceptedSchema = z.object({
  stage: z.enum(PIPELINE_STAGES),
  requested: z.number().int().nonnegative().describe('Files sent through the stage again'),
  more: z
    .boolean()
    .describe(`True when more than ${MAX_RETRIES_PER_REQUEST} files failed: send the request again for the rest`),
});
export type RetryAccepted = z.output<typeof RetryAcceptedSchema>;
