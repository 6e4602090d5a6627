import { z } from 'zod';
import { FILE_KINDS, FILE_STATES, PIPELINE_STAGES, STAGE_STATUSES } from '@crateflow/contracts';

/**
 * Orders of the file list. `path` lists every file; the others list only files that have the value
 * (a measured BPM, a duration, an artist or title tag), because a keyset over a missing value would
 * either hide files or be slow at a million rows. The UI says so in words.
 */
export const FILE_SORTS = ['path', 'artist', 'title', 'bpm', 'duration'] as const;
export type FileSort = (typeof FILE_SORTS)[number];

export const ListFilesQuerySchema = z
  .strictObject({
    cursor: z.string().max(16_384).optional().describe('`nextCursor` of the previous page'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    state: z.enum(FILE_STATES).optional().describe('Lifecycle state'),
    kind: z.enum(FILE_KINDS).optional(),
    stage: z.enum(PIPELINE_STAGES).optional().describe('With `stageStatus`: files whose status for this stage is that'),
    stageStatus: z
      .enum(STAGE_STATUSES)
      .optional()
      .describe('With `stage`; `pending` includes files the stage has no record of yet'),
    missing: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .describe('`true`: only files gone from disk; `false`: only files present'),
    q: z.string().trim().min(1).max(200).optional().describe('Text contained in the path (case-insensitive)'),
    bpmMin: z.coerce
      .number()
      .min(0)
      .max(1000)
      .optional()
      .describe('Measured tempo at least this (analysed files only)'),
    bpmMax: z.coerce.number().min(0).max(1000).optional().describe('Measured tempo at most this (analysed files only)'),
    camelot: z
      .string()
      .trim()
      .regex(/^(1[0-2]|0?[1-9])[ABab]$/, 'a Camelot code, 1A to 12B')
      .transform((c) => `${Number(c.slice(0, -1))}${c.slice(-1).toUpperCase()}`)
      .optional()
      .describe('Measured key on the Camelot wheel, e.g. `8A`'),
    camelotCompatible: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .describe('With `camelot`, `true`: also the keys that mix with it (±1 on the wheel, relative major/minor)'),
    duplicates: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .describe(
        '`true`: only files with another copy (same content) or another encoding of the same recording; `false`: only files with neither',
      ),
    problems: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .describe('`true`: only files a stage failed or skipped (for their current content)'),
    sort: z
      .enum(FILE_SORTS)
      .default('path')
      .describe('`path` (default) lists every file; the others list only files that have that value'),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .superRefine((query, ctx) => {
    if (query.bpmMin !== undefined && query.bpmMax !== undefined && query.bpmMin > query.bpmMax) {
      ctx.addIssue({ code: 'custom', path: ['bpmMax'], message: '`bpmMax` must not be below `bpmMin`' });
    }
    if (query.camelotCompatible !== undefined && query.camelot === undefined) {
      ctx.addIssue({ code: 'custom', path: ['camelot'], message: '`camelotCompatible` needs `camelot`' });
    }
    if ((query.stage === undefined) !== (query.stageStatus === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [query.stage === undefined ? 'stage' : 'stageStatus'],
        message: '`stage` and `stageStatus` go together',
      });
    }
  });
export type ListFilesQuery = z.output<typeof ListFilesQuerySchema>;

/** Cursor text: what a path or a tag can hold, never a NUL (PostgreSQL refuses it in text). */
const cursorText = z
  .string()
  .max(8192)
  .refine((v) => !v.includes('\0'));

/**
 * Keyset of the file list: (path, id) for the path order (files_path_id_idx); (sort, value, id) for the
 * other orders, so a cursor of one order is refused by another.
 */
export const FileCursorSchema = z.union([
  z.tuple([cursorText, z.uuid()]),
  z.tuple([z.enum(FILE_SORTS), z.union([cursorText, z.number()]), z.uuid()]),
]);

export const FileProblemSchema = z.object({
  stage: z.enum(PIPELINE_STAGES),
  status: z.enum(['failed', 'skipped']),
  reason: z.string().nullable(),
});

export const FileListItemSchema = z.object({
  id: z.uuid(),
  path: z.string().describe('Absolute path in Unicode NFC; see `pathIsUtf8`'),
  name: z.string(),
  kind: z.enum(FILE_KINDS),
  size: z.number().int().nonnegative().describe('Bytes'),
  mtime: z.iso.datetime().describe('Modification time on disk'),
  state: z.enum(FILE_STATES),
  missingSince: z.iso.datetime().nullable().describe('Set when a scan no longer finds the file'),
  pathIsUtf8: z
    .boolean()
    .describe('False when the name on disk is not valid UTF-8 (the path shows replacement characters)'),
});

/** A row of the file list: the file plus what a DJ scans by (tags and analysis of its current content). */
export const FileListRowSchema = FileListItemSchema.extend({
  artist: z.string().nullable(),
  title: z.string().nullable(),
  durationSec: z.number().nullable(),
  bpm: z.number().nullable().describe('Measured tempo'),
  camelot: z.string().nullable().describe('Measured key on the Camelot wheel'),
  energy: z.number().int().nullable().describe('Energy rating 1-10'),
  problems: z.array(FileProblemSchema).describe('Stages that failed or skipped the current content, with why'),
});
export type FileListItem = z.output<typeof FileListRowSchema>;

export const FilePageSchema = z.object({ items: z.array(FileListRowSchema), nextCursor: z.string().nullable() });

export const FileSchema = FileListItemSchema.extend({
  root: z.string().describe('The library root the file was found under'),
  contentHash: z.string().describe('SHA-256 of the content, lower-case hex'),
  copiedFrom: z
    .object({
      id: z.uuid(),
      path: z.string().nullable().describe('Null when the original is no longer in the catalogue'),
      missingSince: z.iso.datetime().nullable(),
    })
    .nullable()
    .describe(
      "Set on a copy the executor made (copy or hardlink mode): the original it is a verified byte-for-byte copy of. A copy is not analysed again: its tags, analysis, fingerprint and stage statuses are the original's (each part's `current` still compares with this file's own content hash)",
    ),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type FileView = z.output<typeof FileSchema>;

export const StageStatusSchema = z.object({
  stage: z.enum(PIPELINE_STAGES),
  status: z.enum(STAGE_STATUSES),
  reason: z.string().nullable().describe('Why the stage skipped or failed the file'),
  attempts: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime().nullable().describe('Null while the stage has no record of the file'),
  current: z.boolean().describe('False when the status is about older content than the file has now'),
});
export type StageStatusView = z.output<typeof StageStatusSchema>;

export const FileHistoryEntrySchema = z.object({
  id: z.string().describe('Increasing; newer entries have larger ids'),
  event: z.string(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  at: z.iso.datetime(),
});
export type FileHistoryEntryView = z.output<typeof FileHistoryEntrySchema>;

/** Parts of the detail view later stages fill in; null until their stage exists. */
export const FILE_DETAIL_PARTS = ['tags', 'analysis', 'fingerprint', 'companions', 'proposal'] as const;
export type FileDetailPartName = (typeof FILE_DETAIL_PARTS)[number];

export const FileDetailSchema = z.object({
  file: FileSchema,
  stages: z.array(StageStatusSchema).describe('Every pipeline stage, in order'),
  history: z.array(FileHistoryEntrySchema).describe('The latest 100 entries, newest first'),
  tags: z.unknown().nullable(),
  analysis: z.unknown().nullable(),
  fingerprint: z.unknown().nullable(),
  companions: z.unknown().nullable(),
  proposal: z.unknown().nullable(),
});
export type FileDetail = z.output<typeof FileDetailSchema>;
