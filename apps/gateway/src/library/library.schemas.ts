import { z } from 'zod';
import { FILE_KINDS } from '@crateflow/contracts';
import { ScanSchema } from '../scans/scan.schemas';

const count = z.number().int().nonnegative();

/** GET /api/v1/library/overview: the pictures of the library (present files only). */
export const LibraryOverviewSchema = z.object({
  generatedAt: z.iso.datetime(),
  files: z.object({ total: count, bytes: count, missing: count }),
  kinds: z.array(z.object({ kind: z.enum(FILE_KINDS), files: count, bytes: count })),
  formats: z
    .array(z.object({ ext: z.string(), files: count, bytes: count }))
    .describe('By file extension, most bytes first (at most 20; the rest as `other`)'),
  sizes: z
    .array(z.object({ upToBytes: z.number().nullable(), files: count }))
    .describe('Music and video files by size band (the last band has no upper bound)'),
  bpm: z
    .object({
      bucketWidth: z.number(),
      buckets: z.array(z.object({ from: z.number(), files: count })),
      analysed: count,
    })
    .describe('Measured tempo of analysed files in 2-BPM buckets from 60 to 200 (outside values are clamped)'),
  keys: z.array(z.object({ camelot: z.string(), files: count })).describe('Measured keys on the Camelot wheel'),
  duplicates: z.object({
    exactGroups: count.describe('Contents present more than once (byte-identical copies)'),
    exactCopies: count.describe('Files beyond the first of each such content'),
    exactWastedBytes: count.describe('Bytes the extra byte-identical copies take'),
    recordingPairs: count.describe('Pairs of different encodings the fingerprints found to be the same recording'),
  }),
});
export type LibraryOverview = z.output<typeof LibraryOverviewSchema>;

/** GET /api/v1/library/roots: the folders scans may start in (CRATEFLOW_LIBRARY_ROOTS), each checked on disk. */
export const LibraryRootsSchema = z.object({
  items: z.array(
    z.object({
      path: z.string().describe('As configured; POST /api/v1/scans accepts it or any folder below it'),
      realPath: z.string().nullable().describe('With symlinks resolved; null when it cannot be resolved'),
      scannable: z.boolean(),
      problem: z.string().nullable().describe('Why a scan of it would fail now (e.g. `not found`), or null'),
      lastScan: ScanSchema.nullable().describe('The newest scan recorded under this root'),
    }),
  ),
});
export type LibraryRoots = z.output<typeof LibraryRootsSchema>;
