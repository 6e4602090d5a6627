import { z } from 'zod';
import { FILE_KINDS, MAX_GENERATION_FILE_IDS, PROPOSAL_SOURCES, PROPOSAL_STATUSES } from '@crateflow/contracts';

export const CONFIDENCE_BANDS = ['high', 'medium', 'low'] as const;
/** high ≥ 0.8, medium ≥ 0.5, low below. */
export const bandOf = (c: number): (typeof CONFIDENCE_BANDS)[number] =>
  c >= 0.8 ? 'high' : c >= 0.5 ? 'medium' : 'low';

export const PROPOSAL_SORTS = ['created', 'confidence', 'path'] as const;

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const ListProposalsQuerySchema = z.strictObject({
  cursor: z.string().max(600).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  status: z
    .enum(PROPOSAL_STATUSES)
    .optional()
    .describe('Effective status; when left out every proposal in force (all but superseded)'),
  band: z.enum(CONFIDENCE_BANDS).optional().describe('Confidence band: high ≥ 0.8, medium ≥ 0.5, low below'),
  collision: bool.optional().describe('Only proposals that collide (true) or do not (false)'),
  kind: z.enum(FILE_KINDS).optional(),
  q: z.string().min(1).max(200).optional().describe('Text in the current path or the proposed name or folder'),
  sort: z.enum(PROPOSAL_SORTS).default('created'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type ListProposalsQuery = z.output<typeof ListProposalsQuerySchema>;

export const ProposalCursorSchema = z.tuple([z.union([z.string().max(4096), z.number()]), z.uuid()]);

export const GenerationBodySchema = z
  .strictObject({
    fileIds: z
      .array(z.uuid())
      .min(1)
      .max(MAX_GENERATION_FILE_IDS * 10)
      .optional()
      .describe('A selection of files; every eligible file when left out'),
    regenerate: z.boolean().default(false).describe('Replace pending proposals too (decided ones never)'),
  })
  .optional()
  .transform((b) => b ?? { regenerate: false });
export type GenerationBody = z.output<typeof GenerationBodySchema>;

export const GenerationSchema = z.object({
  id: z.uuid(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  counts: z.object({
    eligible: z.number().int(),
    generated: z.number().int(),
    unchanged: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
  }),
  error: z.string().nullable(),
});

export const DecisionBodySchema = z.strictObject({ decision: z.enum(['approved', 'rejected']) });

export const EditBodySchema = z
  .strictObject({
    name: z.string().min(1).max(1024).optional().describe('New file name; the extension is kept exactly'),
    folder: z
      .string()
      .max(1024)
      .nullable()
      .optional()
      .describe('New folder relative to the output folder; null keeps the file in its folder'),
  })
  .refine((b) => b.name !== undefined || b.folder !== undefined, { message: 'give a name, a folder or both' });
export type EditBody = z.output<typeof EditBodySchema>;

export const BulkBodySchema = z.strictObject({
  decision: z.enum(['approved', 'rejected']),
  ids: z.array(z.uuid()).min(1).max(5000).optional().describe('These proposals; otherwise every pending one'),
  minConfidence: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Bulk approval takes only proposals at or above this confidence'),
});
export type BulkBody = z.output<typeof BulkBodySchema>;

export const BulkOutcomeSchema = z.object({
  applied: z.array(z.uuid()),
  skipped: z.array(z.object({ id: z.uuid(), reason: z.string() })),
});

const Side = z.object({ folder: z.string().nullable(), name: z.string(), path: z.string() });

export const ProposalViewSchema = z.object({
  id: z.uuid(),
  fileId: z.uuid(),
  contentHash: z.string(),
  kind: z.enum(FILE_KINDS),
  status: z.enum(PROPOSAL_STATUSES),
  source: z.enum(PROPOSAL_SOURCES),
  model: z.string().nullable(),
  confidence: z.number(),
  band: z.enum(CONFIDENCE_BANDS),
  reason: z.string(),
  facts: z.record(z.string(), z.unknown()),
  current: Side.describe('Where the file is now (relative to its library root)'),
  proposed: Side.describe("Where it would go (relative to the output folder), a person's edit included"),
  edited: z.boolean(),
  collision: z
    .object({ kind: z.enum(['proposal', 'disk']), path: z.string(), fileId: z.uuid().nullable() })
    .nullable()
    .describe('What blocks approval: another file headed for the same destination, or one already there'),
  invalidReason: z.string().nullable(),
  version: z.number().int().describe('The ETag is "<id>.<version>"; send it back in If-Match'),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
});
export type ProposalView = z.output<typeof ProposalViewSchema>;

export const ProposalDetailSchema = ProposalViewSchema.extend({
  context: z.record(z.string(), z.unknown()).describe('Exactly the context the proposal was made from'),
  canUndo: z.boolean(),
  lastAction: z.string().nullable(),
});

export const ProposalPageSchema = z.object({ items: z.array(ProposalViewSchema), nextCursor: z.string().nullable() });

export interface PreviewNode {
  name: string;
  path: string;
  files: number;
  children: PreviewNode[];
}
export const PreviewNodeSchema: z.ZodType<PreviewNode> = z.lazy(() =>
  z.object({ name: z.string(), path: z.string(), files: z.number().int(), children: z.array(PreviewNodeSchema) }),
);
export const PreviewSchema = z.object({
  status: z.enum(['approved', 'pending']),
  files: z.number().int(),
  stay: z.number().int().describe('Files that keep their folder (only renamed)'),
  truncated: z.boolean(),
  tree: z.array(PreviewNodeSchema),
});
export const PreviewQuerySchema = z.strictObject({
  status: z.enum(['approved', 'pending']).default('approved').describe('The tree approved (or pending) proposals make'),
});
