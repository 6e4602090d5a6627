import { z } from 'zod';

const hostList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  )
  .refine(
    (hosts) => hosts.length > 0 && hosts.every((h) => /^[a-z0-9.-]+$/.test(h)),
    'a comma-separated list of host names',
  );

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** The tracklists service's own settings (merged with the common ones by the service host). */
export const tracklistsConfigShape = {
  /** Where 1001Tracklists is; its host must be one of TRACKLISTS_ALLOWED_HOSTS. */
  TRACKLISTS_SITE_URL: z.url().default('https://www.1001tracklists.com'),
  /** The only hosts ever fetched (checked on every request, redirect and result link). */
  TRACKLISTS_ALLOWED_HOSTS: hostList.default(['1001tracklists.com', 'www.1001tracklists.com']),
  /** Spacing between requests to the site, shared by all replicas; the site asks for at least 8 s. */
  TRACKLISTS_MIN_SPACING_MS: z.coerce.number().int().min(8000).default(8000),
  TRACKLISTS_MAX_SPACING_MS: z.coerce.number().int().min(8000).default(12000),
  /** After a 403/429/5xx or a challenge: this × 2^refusals in a row, up to the max. */
  TRACKLISTS_BACKOFF_BASE_MS: z.coerce.number().int().min(1000).default(60_000),
  TRACKLISTS_BACKOFF_MAX_MS: z.coerce.number().int().min(1000).default(3600_000),
  TRACKLISTS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(20_000),
  TRACKLISTS_USER_AGENT: z
    .string()
    .min(1)
    .max(300)
    .refine((ua) => /crateflow/i.test(ua), 'must name Crateflow')
    .default('Crateflow/0.1 (self-hosted music archive organiser; tracklist look-ups, one request per 8 s)'),
  /** Render script-built pages in the system's Chromium (playwright-core) when plain HTTP gets a shell. */
  TRACKLISTS_RENDER: flag,
  TRACKLISTS_CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  /** How often look-ups whose back-off ended are tried again; 0 turns the sweep off. */
  TRACKLISTS_RETRY_SWEEP_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 60_000),
};

export type TracklistsConfig = z.infer<z.ZodObject<typeof tracklistsConfigShape>>;
