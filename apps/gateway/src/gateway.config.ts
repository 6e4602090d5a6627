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
  /** Largest audio excerpt POST /api/v1/identify accepts, in bytes (default 32 MiB: minutes of MP3, a minute of WAV). */
  IDENTIFY_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(1024 * 1024 * 1024)
    .default(32 * 1024 * 1024),
  /** Seconds of an uploaded excerpt that are listened to (the rest is ignored). */
  IDENTIFY_MAX_EXCERPT_SEC: z.coerce.number().int().min(5).max(3600).default(600),
  /** Serve the web UI at `/`. */
  CRATEFLOW_UI_ENABLED: configHelpers.bool(true),
};

type Common = z.infer<z.ZodObject<typeof commonConfigShape>>;

export type GatewayConfig = Common & z.infer<z.ZodObject<typeof gatewayConfigShape>> & { HTTP_PORT: number };
