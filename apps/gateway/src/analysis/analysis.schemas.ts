import { z } from 'zod';

/** The `analysis` part of GET /api/v1/files/{id}: what the analysis stage measured in a music or video file. */
export const FileAnalysisSchema = z.object({
  current: z
    .boolean()
    .describe('False when the analysis describes older content than the file has now, or an older analyser'),
  status: z.enum(['done', 'failed']),
  failureReason: z.string().nullable().describe('Why the file could not be analysed (status `failed`)'),
  analysisVersion: z.number().int(),
  analysedAt: z.iso.datetime(),
  bpm: z.number().nullable().describe('Measured tempo; null when not measurable'),
  camelot: z.string().nullable().describe('Measured key on the Camelot wheel, e.g. `8A`'),
  key: z.string().nullable().describe('Measured key, e.g. `A minor`'),
  lufs: z.number().nullable().describe('EBU R128 integrated loudness'),
  energy: z.number().int().nullable().describe('Energy rating 1-10'),
  tags: z
    .object({
      disagreement: z.boolean().describe('The BPM or key tag disagrees with the measurement (octaves do not count)'),
      bpm: z
        .object({
          tag: z.union([z.number(), z.string()]),
          measured: z.number().nullable(),
          verdict: z.string().describe('match, octave, disagree, unreadable or not-measured'),
          differencePercent: z.number().nullable(),
        })
        .nullable(),
      key: z
        .object({
          tag: z.string(),
          tagCamelot: z.string().nullable(),
          measuredCamelot: z.string().nullable(),
          verdict: z.string().describe('match, relative, fifth, parallel, disagree, unreadable or not-measured'),
        })
        .nullable(),
    })
    .nullable()
    .describe("The file's own BPM/key tags beside the measurement; null when the file has neither tag"),
  result: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('The whole measurement: tempo with confidence and alternative, beats, key, loudness, outline, timeline'),
});
export type FileAnalysisView = z.output<typeof FileAnalysisSchema>;
