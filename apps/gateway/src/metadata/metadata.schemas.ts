import { z } from 'zod';

/** The `tags` part of GET /api/v1/files/{id}: what the metadata stage read from a music or video file. */
export const FileTagsSchema = z.object({
  current: z.boolean().describe('False when the tags were read from older content than the file has now'),
  status: z.enum(['read', 'failed']),
  failure: z
    .object({ kind: z.string(), reason: z.string() })
    .nullable()
    .describe('Why the file could not be read (status `failed`)'),
  readAt: z.iso.datetime(),
  artist: z.string().nullable(),
  artists: z.array(z.string()).describe('Every artist value, in tag order'),
  title: z.string().nullable(),
  album: z.string().nullable(),
  albumArtist: z.string().nullable(),
  track: z.object({ no: z.number().int().nullable(), of: z.number().int().nullable() }),
  disc: z.object({ no: z.number().int().nullable(), of: z.number().int().nullable() }),
  year: z.number().int().nullable(),
  date: z.string().nullable(),
  genre: z.string().nullable(),
  genres: z.array(z.string()),
  label: z.string().nullable(),
  comment: z.string().nullable(),
  isrc: z.string().nullable(),
  bpm: z.number().nullable().describe('As tagged (analysis measures its own)'),
  key: z.string().nullable().describe('As tagged'),
  tagTypes: z.array(z.string()),
  stream: z.object({
    durationSec: z.number().nullable(),
    bitrate: z.number().int().nullable().describe('Average bits per second'),
    sampleRate: z.number().int().nullable(),
    channels: z.number().int().nullable(),
    bitsPerSample: z.number().int().nullable(),
    codec: z.string().nullable(),
    container: z.string().nullable().describe('What the bytes are, from the content (not the name)'),
    lossless: z.boolean().nullable(),
    hasCover: z.boolean().nullable().describe('A picture is embedded'),
    details: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('Further facts: video stream, estimated duration, ...'),
  }),
  warnings: z.array(z.string()),
  raw: z.unknown().nullable().describe('Every native tag as the file holds it; binary blobs replaced by their size'),
});
export type FileTagsView = z.output<typeof FileTagsSchema>;

export const CompanionContentSchema = z.object({
  type: z.string().describe('cue, nfo, txt, playlist, checksums, image'),
  status: z.enum(['parsed', 'failed']),
  failureReason: z.string().nullable(),
  current: z.boolean().describe('False when parsed from older content than the file has now'),
  encoding: z.string().nullable().describe('The character encoding the text was decoded from'),
  text: z
    .string()
    .nullable()
    .describe(`The decoded text, at most ${16 * 1024} characters here`),
  textTruncated: z.boolean().describe('The stored text, or the text shown here, was cut'),
  parsed: z.unknown().nullable().describe('A cue sheet, a playlist or a checksum list, parsed'),
});
export type CompanionContentView = z.output<typeof CompanionContentSchema>;

export const LinkedCompanionSchema = z.object({
  fileId: z.uuid(),
  path: z.string(),
  name: z.string(),
  reason: z.string().describe('Why it belongs to this file, e.g. `same-name` or `folder`'),
  content: CompanionContentSchema.nullable().describe('Null until the metadata stage has read the companion'),
});

export const LinkedMediaSchema = z.object({
  fileId: z.uuid(),
  path: z.string(),
  name: z.string(),
  reason: z.string(),
});

/** The `companions` part of GET /api/v1/files/{id}. */
export const FileCompanionsSchema = z.object({
  companions: z.array(LinkedCompanionSchema).describe('Companion files that belong to this media file (at most 20)'),
  companionsTotal: z.number().int().nonnegative(),
  content: CompanionContentSchema.nullable().describe('For a companion file: its own parsed content'),
  belongsTo: z.array(LinkedMediaSchema).describe('For a companion file: the media files it belongs to (at most 100)'),
  belongsToTotal: z.number().int().nonnegative(),
});
export type FileCompanionsView = z.output<typeof FileCompanionsSchema>;
