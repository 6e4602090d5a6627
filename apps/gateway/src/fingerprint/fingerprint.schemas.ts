import { z } from 'zod';

/** A library file as a fingerprint result names it. */
export const RecordingFileSchema = z.object({
  fileId: z.uuid(),
  path: z.string(),
  artist: z.string().nullable(),
  title: z.string().nullable(),
});
export type RecordingFileView = z.output<typeof RecordingFileSchema>;

/** The `fingerprint` part of GET /api/v1/files/{id}. */
export const FileFingerprintSchema = z.object({
  current: z.boolean().describe('False when the fingerprint describes older content than the file has now'),
  status: z.enum(['done', 'failed']),
  failureReason: z.string().nullable(),
  algorithmVersion: z.number().int(),
  fingerprintedAt: z.iso.datetime(),
  durationSec: z.number().nullable(),
  postings: z
    .object({ landmark: z.number().int(), triplet: z.number().int() })
    .nullable()
    .describe('Hashes read back from the index after storing them'),
  sameRecording: z
    .array(RecordingFileSchema.extend({ coverage: z.number() }))
    .describe('Other encodings of this recording in the library (present files)'),
});
export type FileFingerprintView = z.output<typeof FileFingerprintSchema>;

export function recordingFileView(f: {
  id: string;
  path: string;
  artist: string | null;
  title: string | null;
}): RecordingFileView {
  return { fileId: f.id, path: f.path, artist: f.artist, title: f.title };
}
