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
  /**
   * Where the executor's copy and hardlink modes build the organised library. It is a library root too (the
   * copies are files of the library): scans may start in it without listing it in CRATEFLOW_LIBRARY_ROOTS.
   */
  CRATEFLOW_OUTPUT_ROOT: z
    .string()
    .default('')
    .refine((v) => !v.trim() || path.isAbsolute(v.trim()), 'must be an absolute path'),
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
  /**
   * Host names the gateway answers to besides 127.0.0.1, localhost and [::1], separated by commas (e.g. the
   * name a reverse proxy or a LAN uses: `crateflow.home.arpa`). Any other Host gets 421 (DNS rebinding).
   */
  CRATEFLOW_PUBLIC_HOSTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    ),
  /**
   * Whether reads (GET) need the API token too. Off by default: the gateway listens on 127.0.0.1, other
   * origins cannot read its answers (no CORS) and the Host allow-list stops DNS rebinding. Turn it on when
   * the gateway is reachable by others (the web UI then needs its session).
   */
  CRATEFLOW_READS_NEED_TOKEN: configHelpers.bool(false),
  /** Serve the web UI at `/`. */
  CRATEFLOW_UI_ENABLED: configHelpers.bool(true),
};

type Common = z.infer<z.ZodObject<typeof commonConfigShape>>;

export type GatewayConfig = Common & z.infer<z.ZodObject<typeof gatewayConfigShape>> & { HTTP_PORT: number };
