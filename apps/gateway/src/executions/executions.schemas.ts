import { z } from 'zod';
import { EXECUTION_MODES } from '@crateflow/contracts';

export const CreatePlanBodySchema = z
  .object({
    mode: z.enum(EXECUTION_MODES).default('move'),
    /** A selection of approved proposals; absent: every approved proposal. */
    proposalIds: z.array(z.uuid()).min(1).max(10000).optional(),
    /** Remove source folders the execution empties (never one that still holds anything, hidden files included). */
    removeEmptyFolders: z.boolean().default(true),
  })
  .strict();
export type CreatePlanBody = z.infer<typeof CreatePlanBodySchema>;

export const CreateExecutionBodySchema = z.object({ planId: z.uuid() }).strict();
export type CreateExecutionBody = z.infer<typeof CreateExecutionBodySchema>;

export const UndoBodySchema = z
  .object({ operationIds: z.array(z.uuid()).min(1).max(10000).optional() })
  .strict()
  .default({});
export type UndoBody = z.infer<typeof UndoBodySchema>;

export const ListExecutionsQuerySchema = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListExecutionsQuery = z.infer<typeof ListExecutionsQuerySchema>;

export const AuditQuerySchema = z.object({
  status: z.enum(['running', 'done', 'failed', 'rolled-back', 'pending', 'skipped']).optional(),
  executionId: z.uuid().optional(),
  /** Substring of the source or destination path (case-insensitive). */
  path: z.string().min(1).max(1000).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

const Counts = z.object({
  total: z.number(),
  done: z.number(),
  failed: z.number(),
  skipped: z.number(),
  pending: z.number(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
});

export const PlanItemSchema = z.object({
  id: z.uuid(),
  role: z.enum(['media', 'companion']),
  fileId: z.uuid().nullable(),
  proposalId: z.uuid().nullable(),
  parentItemId: z.uuid().nullable(),
  sourcePath: z.string(),
  destinationPath: z.string().nullable(),
  size: z.number(),
  sameFilesystem: z.boolean().nullable(),
  status: z.enum(['ready', 'blocked', 'skipped']),
  reason: z.string().nullable(),
});

export const PlanSchema = z.object({
  id: z.uuid(),
  mode: z.enum(EXECUTION_MODES),
  status: z.string().describe('computing | ready | executed | stale | failed'),
  options: z.record(z.string(), z.unknown()),
  totals: z.record(z.string(), z.number()),
  createdAt: z.string().nullable(),
  items: z.array(PlanItemSchema),
});

export const ExecutionSchema = z.object({
  id: z.uuid(),
  planId: z.uuid().nullable(),
  kind: z.enum(['run', 'undo']),
  undoOf: z.uuid().nullable(),
  mode: z.string(),
  status: z.string().describe('queued | running | completed | failed'),
  error: z.string().nullable(),
  counts: Counts,
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
  failures: z.array(
    z.object({
      operationId: z.uuid(),
      sourcePath: z.string(),
      destinationPath: z.string(),
      code: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
});

export const ExecutionPageSchema = z.object({
  items: z.array(ExecutionSchema.omit({ failures: true })),
  nextCursor: z.string().nullable(),
});

export const AuditStepSchema = z.object({
  id: z.string(),
  executionId: z.uuid(),
  operationId: z.uuid(),
  phase: z.string(),
  status: z.string(),
  sourcePath: z.string(),
  destinationPath: z.string(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  at: z.string(),
});
export const AuditPageSchema = z.object({ items: z.array(AuditStepSchema), nextCursor: z.string().nullable() });

export const RelinkEntrySchema = z.object({
  fileId: z.uuid().nullable(),
  role: z.enum(['media', 'companion']),
  oldPath: z.string(),
  newPath: z.string(),
});

export const AcceptedSchema = z.object({ id: z.uuid(), status: z.string() });
