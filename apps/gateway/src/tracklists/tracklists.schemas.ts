import { z } from 'zod';

export const TRACKLIST_SOURCES = ['1001tracklists', 'fingerprint', 'cue', 'manual'] as const;
export const TRACKLIST_STATUSES = ['proposed', 'approved', 'rejected'] as const;

export const ListTracklistsQuerySchema = z.strictObject({
  status: z.enum(TRACKLIST_STATUSES).optional(),
  source: z.enum(TRACKLIST_SOURCES).optional(),
  linked: z.enum(['true', 'false']).optional().describe('Only tracklists linked (or not linked) to a set'),
  q: z.string().min(1).max(200).optional().describe('Text in title, artist or event'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type ListTracklistsQuery = z.output<typeof ListTracklistsQuerySchema>;

export const TracklistTrackSchema = z.object({
  id: z.uuid(),
  position: z.number().int(),
  artist: z.string().nullable(),
  title: z.string().nullable(),
  remix: z.string().nullable(),
  label: z.string().nullable(),
  cueSec: z.number().nullable(),
  cue: z.string().nullable().describe('The start as h:mm:ss'),
  endSec: z.number().nullable(),
  speed: z.number().nullable(),
  confidence: z.number().nullable().describe('0–1, raised when another source agrees'),
  unknown: z.boolean().describe('An "ID": a stretch or row nobody identified'),
  edited: z.boolean().describe('A person changed this track'),
  agreedBy: z.array(z.enum(TRACKLIST_SOURCES)).describe('Other sources with the same track at nearly the same time'),
});

export const TracklistLinkSchema = z.object({
  contentHash: z.string(),
  fileIds: z.array(z.uuid()).describe('Present files with that content (exact copies share a link)'),
  madeBy: z.enum(['matcher', 'source', 'person']),
  score: z.number().nullable(),
});

export const TracklistSummarySchema = z.object({
  id: z.uuid(),
  source: z.enum(TRACKLIST_SOURCES),
  sourceUrl: z.string().nullable(),
  title: z.string().nullable(),
  artist: z.string().nullable(),
  event: z.string().nullable(),
  date: z.string().nullable(),
  status: z.enum(TRACKLIST_STATUSES),
  version: z.number().int(),
  trackCount: z.number().int(),
  links: z.array(TracklistLinkSchema),
  updatedAt: z.string(),
});

export const TracklistPageSchema = z.object({
  items: z.array(TracklistSummarySchema),
  nextCursor: z.string().nullable(),
});

export const TracklistDetailSchema = TracklistSummarySchema.extend({
  tracks: z.array(TracklistTrackSchema),
  versions: z.array(z.object({ version: z.number().int(), trackCount: z.number().int(), createdAt: z.string() })),
  shownVersion: z.number().int(),
});

export const CandidateSchema = z.object({
  url: z.string(),
  title: z.string(),
  artist: z.string().nullable(),
  event: z.string().nullable(),
  date: z.string().nullable(),
  score: z.number(),
});

export const MixTracklistsSchema = z.object({
  fileId: z.uuid(),
  name: z.string(),
  lookup: z
    .object({
      status: z.string(),
      query: z.string(),
      attempts: z.number().int(),
      nextAttemptAt: z.string().nullable(),
      lastError: z.string().nullable(),
      candidates: z.array(CandidateSchema),
    })
    .nullable(),
  tracklists: z.array(TracklistDetailSchema).describe('Every linked source, side by side'),
});

export const SearchBodySchema = z.strictObject({
  fileId: z.uuid(),
  query: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .describe('What to search for; derived from the file name when absent'),
});
export const ScrapeBodySchema = z.strictObject({
  url: z.url().max(2000),
  fileId: z.uuid().optional().describe("Link the tracklist to this set (a person's link)"),
});
export const RequestAcceptedSchema = z.object({ requestId: z.uuid(), status: z.literal('queued') });

export const ReviewBodySchema = z.strictObject({ status: z.enum(TRACKLIST_STATUSES) });
export const TrackEditBodySchema = z
  .strictObject({
    artist: z.string().trim().max(500).nullable().optional(),
    title: z.string().trim().max(500).nullable().optional(),
    cueSec: z
      .number()
      .min(0)
      .max(7 * 24 * 3600)
      .nullable()
      .optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one of artist, title, cueSec');
export type TrackEditBody = z.output<typeof TrackEditBodySchema>;
export const RejectBelowBodySchema = z.strictObject({ belowConfidence: z.number().min(0).max(1) });
export const RejectedTracksSchema = z.object({ rejected: z.number().int() });
