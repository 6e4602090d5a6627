import { z } from 'zod';
import { FILE_KINDS, FILE_STATES } from '@crateflow/contracts';
import { DUPLICATE_KINDS } from './group-key';

export const RESOLUTION_STATUSES = ['unresolved', 'resolved'] as const;

export const ListDuplicatesQuerySchema = z.strictObject({
  cursor: z.string().max(400).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(RESOLUTION_STATUSES).optional().describe('Only groups with (or without) a resolution in force'),
});
export type ListDuplicatesQuery = z.output<typeof ListDuplicatesQuerySchema>;

/** Keyset of the group list (largest first): copies, redundant bytes, then the group key. */
export const DuplicateCursorSchema = z.tuple([
  z.number().int().min(2),
  z.string().regex(/^\d{1,20}$/),
  z.string().regex(/^(exact:[0-9a-f]{64}|recording:\d{1,10})$/),
]);

export const ResolveBodySchema = z
  .strictObject({
    canonicalFileId: z.uuid().optional().describe('The member to keep as canonical; the proposed one when left out'),
  })
  .optional()
  .transform((body) => body ?? {});
export type ResolveBody = z.output<typeof ResolveBodySchema>;

export const TagCompletenessSchema = z.object({
  score: z.number().min(0).max(1).describe('0 (no tags) to 1 (every weighted field present)'),
  present: z.array(z.string()),
  missing: z.array(z.string()),
});

export const DuplicateMemberSchema = z.object({
  fileId: z.uuid(),
  path: z.string(),
  name: z.string(),
  kind: z.enum(FILE_KINDS),
  size: z.number().int().nonnegative(),
  state: z.enum(FILE_STATES),
  metadata: z
    .enum(['read', 'failed', 'pending'])
    .describe('Whether the metadata stage has read this content yet (from any copy: the bytes are the same)'),
  lossless: z.boolean().nullable(),
  bitrate: z.number().int().nullable().describe('Average bits per second'),
  codec: z.string().nullable(),
  tagCompleteness: TagCompletenessSchema,
  role: z
    .enum(['canonical', 'duplicate'])
    .nullable()
    .describe('Its part in the resolution in force; null when unresolved or when the file joined the group later'),
});

export const ProposalSchema = z.object({
  canonicalFileId: z.uuid(),
  ranking: z.array(z.uuid()).describe('Members from best to worst'),
  reasons: z
    .array(z.object({ fileId: z.uuid(), decidedBy: z.string(), reason: z.string() }))
    .describe('Why the canonical member beats each other member'),
});

export const ResolutionSchema = z.object({
  id: z.uuid(),
  canonicalFileId: z.uuid(),
  canonicalWasProposed: z.boolean(),
  resolvedAt: z.iso.datetime(),
});

export const DuplicateGroupSchema = z.object({
  key: z.string().describe('`exact:<sha256>` (same bytes) or `recording:<id>` (same recording, other encodings)'),
  kind: z.enum(DUPLICATE_KINDS),
  contentHash: z.string().nullable().describe('For exact groups: the SHA-256 every member has'),
  memberCount: z.number().int().min(2),
  size: z.number().int().nonnegative().describe('Bytes of one copy'),
  redundantBytes: z.number().int().nonnegative().describe('Bytes taken by all copies but one'),
  status: z.enum(RESOLUTION_STATUSES),
  members: z.array(DuplicateMemberSchema).describe('Best first, as proposed'),
  proposal: ProposalSchema,
  resolution: ResolutionSchema.nullable(),
});
export type DuplicateGroupView = z.output<typeof DuplicateGroupSchema>;

export const DuplicateGroupPageSchema = z.object({
  items: z.array(DuplicateGroupSchema),
  nextCursor: z.string().nullable(),
});

export const ComparedTagsSchema = z.object({
  artist: z.string().nullable(),
  artists: z.array(z.string()),
  title: z.string().nullable(),
  album: z.string().nullable(),
  albumArtist: z.string().nullable(),
  trackNo: z.number().int().nullable(),
  trackOf: z.number().int().nullable(),
  discNo: z.number().int().nullable(),
  discOf: z.number().int().nullable(),
  year: z.number().int().nullable(),
  genre: z.string().nullable(),
  label: z.string().nullable(),
  isrc: z.string().nullable(),
  bpm: z.number().nullable(),
  key: z.string().nullable(),
  comment: z.string().nullable(),
});

export const ComparedStreamSchema = z.object({
  durationSec: z.number().nullable(),
  bitrate: z.number().int().nullable(),
  sampleRate: z.number().int().nullable(),
  channels: z.number().int().nullable(),
  bitsPerSample: z.number().int().nullable(),
  codec: z.string().nullable(),
  container: z.string().nullable(),
  lossless: z.boolean().nullable(),
  hasCover: z.boolean().nullable(),
});

export const DuplicateComparisonSchema = DuplicateGroupSchema.extend({
  members: z.array(
    DuplicateMemberSchema.extend({
      tags: ComparedTagsSchema.nullable().describe('Null until the metadata stage has read the file'),
      stream: ComparedStreamSchema.nullable(),
      failureReason: z.string().nullable().describe('Why the metadata stage could not read the file'),
    }),
  ),
  differences: z
    .array(z.string())
    .describe('Tag and stream fields (`tags.title`, `stream.bitrate`, ...) whose values differ between members'),
});
export type DuplicateComparisonView = z.output<typeof DuplicateComparisonSchema>;

export const BulkOutcomeSchema = z.object({
  groups: z.number().int().nonnegative().describe('Groups resolved (or undone)'),
  files: z.number().int().nonnegative().describe('Files marked duplicate-resolved (or released)'),
});
export type BulkOutcome = z.output<typeof BulkOutcomeSchema>;
