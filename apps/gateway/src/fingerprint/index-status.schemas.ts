import { z } from 'zod';

const GenerationSchema = z.object({
  generation: z.number().int(),
  algorithmVersion: z.number().int(),
  layoutVersion: z.number().int(),
  state: z.enum(['building', 'active', 'retired']),
  createdAt: z.iso.datetime(),
  activatedAt: z.iso.datetime().nullable(),
  retiredAt: z.iso.datetime().nullable(),
  droppedAt: z.iso.datetime().nullable().describe('When the retired generation’s tables were emptied'),
});

/** GET /api/v1/fingerprint/index: which index generation answers look-ups, and an upgrade's progress. */
export const FingerprintIndexStatusSchema = z.object({
  active: GenerationSchema.extend({ tracks: z.number().int().describe('Tracks in the active generation') }),
  rebuild: z
    .object({
      generation: GenerationSchema,
      done: z.number().int().describe('Tracks in the new generation'),
      failed: z.number().int().describe('Tracks the rebuild gave up on (files gone or no longer decodable)'),
      total: z.number().int(),
      percent: z.number().describe('Share of total finished (done or failed), 0–100'),
      ratePerMin: z.number().nullable().describe('Tracks finished per minute over the last 5 minutes'),
      etaSec: z.number().nullable().describe('Seconds left at that rate'),
      lookupsFrom: z
        .enum(['active', 'unavailable'])
        .describe(
          '`active`: look-ups answer from the active generation until the flip; `unavailable`: the new version’s hashes do not match it, so look-ups wait for the flip',
        ),
      recentFailures: z.array(z.object({ trackId: z.number().int(), reason: z.string(), failedAt: z.iso.datetime() })),
    })
    .nullable()
    .describe('The upgrade under way (a generation being built beside the active one), or null'),
  lastUpgrade: GenerationSchema.nullable().describe('The newest retired generation (what the last upgrade replaced)'),
  codeVersion: z.object({ algorithmVersion: z.number().int(), layoutVersion: z.number().int() }),
});
export type FingerprintIndexStatusView = z.output<typeof FingerprintIndexStatusSchema>;
