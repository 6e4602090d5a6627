import { z } from 'zod';
import { templatesFrom } from './rules/templates';

/**
 * The proposer's own settings (merged with the common ones by the service host). Without
 * PROPOSER_LLM_PROVIDER the built-in rules propose; with it, an LLM does and the rules are the fallback.
 * Templates are validated here, so a bad template stops the service at start-up with the reason.
 */
export const proposerConfigShape = {
  /** JSON with any subset of the categories' `folder`/`name` templates; see docs/proposals.md. */
  PROPOSER_TEMPLATES: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      try {
        templatesFrom(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    }),
  /** Characters of companion text (cue/nfo/txt, ASCII art stripped) per file in the context. */
  PROPOSER_COMPANION_CHARS: z.coerce.number().int().min(0).max(20_000).default(3000),
  /** none (the built-in rules), openai (or any OpenAI-compatible server via the base URL), anthropic, ollama. */
  PROPOSER_LLM_PROVIDER: z.enum(['none', 'openai', 'anthropic', 'ollama']).default('none'),
  PROPOSER_LLM_MODEL: z.string().max(200).optional(),
  /** For openai: any OpenAI-compatible server (a local one too); for ollama: the server's URL. */
  PROPOSER_LLM_BASE_URL: z.url().optional(),
  /** Secret: never logged. Falls back to OPENAI_API_KEY / ANTHROPIC_API_KEY by provider. */
  PROPOSER_LLM_API_KEY: z.string().max(500).optional(),
  /** Files per LLM call. */
  PROPOSER_LLM_BATCH_SIZE: z.coerce.number().int().min(1).max(50).default(10),
  /** Requests per minute to the LLM, shared by every proposer replica (held in NATS). */
  PROPOSER_LLM_RPM: z.coerce.number().int().min(1).max(100_000).default(60),
  PROPOSER_LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  /** Attempts per batch on 429, 5xx and time-outs (with backoff; Retry-After is honoured). */
  PROPOSER_LLM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
};

export type ProposerConfig = z.infer<z.ZodObject<typeof proposerConfigShape>>;

export const DEFAULT_PROPOSER_CONFIG: ProposerConfig = {
  PROPOSER_TEMPLATES: undefined,
  PROPOSER_COMPANION_CHARS: 3000,
  PROPOSER_LLM_PROVIDER: 'none',
  PROPOSER_LLM_MODEL: undefined,
  PROPOSER_LLM_BASE_URL: undefined,
  PROPOSER_LLM_API_KEY: undefined,
  PROPOSER_LLM_BATCH_SIZE: 10,
  PROPOSER_LLM_RPM: 60,
  PROPOSER_LLM_TIMEOUT_MS: 60_000,
  PROPOSER_LLM_MAX_ATTEMPTS: 4,
};
