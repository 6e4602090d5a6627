import { z } from 'zod';
import { ScanCountsSchema } from '@crateflow/contracts';

export const SCAN_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;

export const CreateScanBodySchema = z.strictObject({
  path: z.string().min(1).max(4096).describe('Absolute path of a folder inside one of the configured library roots'),
});
export type CreateScanBody = z.output<typeof CreateScanBodySchema>;

export const ScanAcceptedSchema = z.object({ id: z.uuid() });

export const ScanSchema = z.object({
  id: z.uuid(),
  path: z.string().describe('The folder being scanned, with symlinks resolved'),
  status: z.enum(SCAN_STATUSES).describe('`queued` until ingest picks the scan up'),
  counts: ScanCountsSchema,
  error: z.string().nullable().describe('Why the scan failed'),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type ScanView = z.output<typeof ScanSchema>;

export const ScanPageSchema = z.object({ items: z.array(ScanSchema), nextCursor: z.string().nullable() });

export const ListScansQuerySchema = z.strictObject({
  cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListScansQuery = z.output<typeof ListScansQuerySchema>;

/** Keyset of the scan list (newest first): creation time in microseconds since the epoch, then id. */
/** Microseconds since the epoch, within what PostgreSQL's timestamp holds (a larger one is a forged cursor). */
export const ScanCursorSchema = z.tuple([
  z
    .string()
    .regex(/^-?\d{1,17}$/)
    .refine((v) => Math.abs(Number(v)) <= 9_000_000_000_000_000),
  z.uuid(),
]);
