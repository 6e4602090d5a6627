import * as path from 'node:path';
import { z } from 'zod';
import { configHelpers, splitPathList, type commonConfigShape } from '@crateflow/config';

/** The gateway's own settings (merged with the common ones by the service host), validated at start-up. */
export const gatewayConfigShape = {
  /** Folders scans may be started in, separated by ':' (or a JSON array for names that contain ':'). */
  CRATEFLOW_LIBRARY_ROOTS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      let roots: string[];
      try {
        roots = splitPathList(value);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
      const relative = roots.filter((r) => !path.isAbsolute(r));
      if (relative.length) {
        ctx.addIssue({ code: 'custom', message: `library roots must be absolute paths (got ${relative.join(', ')})` });
        return z.NEVER;
      }
      return roots;
    }),
  /** Bearer token every state-changing request must carry. Never logged. */
  CRATEFLOW_API_TOKEN: z
    .string({ error: 'is required: a random secret of at least 16 characters (e.g. `openssl rand -hex 24`)' })
    .min(16, 'must be at least 16 characters long'),
  /** Serve the web UI at `/`. */
  CRATEFLOW_UI_ENABLED: configHelpers.bool(true),
};

type Common = z.infer<z.ZodObject<typeof commonConfigShape>>;

export type GatewayConfig = Common & z.infer<z.ZodObject<typeof gatewayConfigShape>> & { HTTP_PORT: number };
