import { z } from 'zod';
import { RecordingFileSchema } from '../fingerprint/fingerprint.schemas';

export const ExcerptMatchSchema = z.object({
  file: RecordingFileSchema.describe(
    'The best present copy of the matched recording (a tagged encoding of it when its own copies are untagged)',
  ),
  contentHash: z.string(),
  excerptOffsetSec: z.number().describe('Where in the excerpt the match starts'),
  fileOffsetSec: z.number().describe("The file's own position at that moment"),
  speed: z.number().describe('File seconds per excerpt second: 1.05 means the excerpt plays it 5 % fast'),
  mode: z.string(),
  confidence: z.number().min(0).max(1).describe('0.5 and above is a confident identification'),
  matchedSec: z.number().describe('Length of the matched part of the excerpt'),
});

export const ExcerptIdentificationSchema = z.object({
  excerptSec: z.number().describe('Seconds of the excerpt listened to'),
  matches: z.array(ExcerptMatchSchema).describe('Best first; empty when nothing in the library plays'),
});
export type ExcerptIdentificationView = z.output<typeof ExcerptIdentificationSchema>;

/** Content types the excerpt upload accepts: any audio or video container, or plain bytes. */
export const EXCERPT_CONTENT_TYPE = /^(audio|video)\/[a-z0-9.+-]+$|^application\/octet-stream$/;
