import { delimiter } from 'node:path';
import { z } from 'zod';

/**
 * Typed configuration from environment variables, validated at start-up: a service with a bad
 * setting refuses to start and says which variable is wrong. Every variable and its default is listed
 * in .env.example (a test keeps the two in step).
 */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: { variable: string; message: string }[],
  ) {
    super(`Invalid configuration for ${service}:\n` + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const url = (protocols: string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `expected a ${protocols.join(' or ')}// URL`,
    );
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Settings every service shares. */
export const commonConfigShape = {
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/crateflow'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  NATS_URL: url(['nats:', 'tls:', 'ws:', 'wss:'], 'nats://127.0.0.1:4222'),
  NATS_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, starting with a letter')
    .default('crateflow'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** Where /health and /metrics listen (the gateway also serves the API there). */
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Overrides every consumer's ack wait (how long a crashed handler holds a message before it is redelivered).
   * Unset, each consumer uses the value declared in contracts. Tests shorten it to see redeliveries quickly.
   */
  NATS_ACK_WAIT_MS: z.coerce.number().int().min(1000).max(3_600_000).optional(),
  /**
   * On SIGTERM/SIGINT, how long jobs in flight may finish before they are aborted (their messages go back to
   * the queue and are handled again after a restart, never failed). Keep it below the orchestrator's own
   * grace period (Kubernetes: terminationGracePeriodSeconds, 30 s by default).
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
};

export const configHelpers = { port, url, bool };

/** Parses the environment with a zod object schema; throws ConfigError naming each bad variable. */
export function loadConfig<T extends z.ZodRawShape>(
  service: string,
  shape: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<T>> {
  const schema = z.object(shape);
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === '' ? undefined : value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      service,
      parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message })),
    );
  }
  return parsed.data;
}

/**
 * Reads a list of paths from one variable: a JSON array (for paths that contain the delimiter), or
 * paths separated by the platform's delimiter (':' on Linux and macOS), like PATH.
 */
export function splitPathList(value: string | undefined): string[] {
  if (!value || !value.trim()) return [];
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
      throw new Error('expected a JSON array of paths');
    }
    return parsed.filter((p) => p.trim());
  }
  return trimmed
    .split(delimiter)
    .map((p) => p.trim())
    .filter(Boolean);
}
